// The layout rule, written once. X is row-major (rows x d). To a column-major BLAS (cuBLAS, and
// the CPU BLAS called with CblasColMajor) the same memory is a d x rows matrix with lda = d.
// So, with m = d and n = rows:
//   predictions X w      = gemv(kTrans,   m = d, n = rows, A = X, x = w)  -> length rows
//   gradient    X^T r    = gemv(kNoTrans, m = d, n = rows, A = X, x = r)  -> length d
// Both backends take (op, m, n, A, x, beta, y) with alpha = 1, lda = m and unit strides.
#pragma once

namespace linsgd {

enum class GemvOp { kNoTrans, kTrans };

}  // namespace linsgd
