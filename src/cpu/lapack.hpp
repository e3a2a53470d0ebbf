// The two LAPACK routines the exact solver calls, from OpenBLAS (which builds LAPACK in; Debian
// ships no C header for them beside it): Fortran calling convention, every argument by address.
#pragma once

extern "C" {
// Cholesky factorization of a symmetric positive definite matrix (uplo "U": its upper triangle).
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
// Solves A x = b from dpotrf_'s factor; b is overwritten with x.
void dpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* lda,
             double* b, const int* ldb, int* info);
}
