# Static archives linked into a shared library stay private to it: their symbols are not exported
# (ld --exclude-libs,ALL). What this guards against is a C++ runtime linked statically, by
# -static-libstdc++ or by a toolchain that does so by default: exported, its std::locale and
# facet ids (STB_GNU_UNIQUE symbols, which the dynamic loader merges across the whole process even
# under RTLD_LOCAL) mix with those of the process's own libstdc++.so, loaded by NumPy or PyTorch
# beside linsgd, and formatting a number then crashes. Kept private, each copy keeps its own
# state; linsgd's interface passes no stream or locale across. The other archives linked (CUDA's
# culibos and device runtime) are private to the library anyway.
include(CheckLinkerFlag)
check_linker_flag(CXX "LINKER:--exclude-libs,ALL" LINSGD_LINKER_EXCLUDES_LIBS)

# Not under the sanitizers (LINSGD_SANITIZE): their runtime must intercept the library's
# operator new and delete, which a private static C++ runtime would keep from it.
function(linsgd_keep_static_archives_private target)
  if(LINSGD_LINKER_EXCLUDES_LIBS AND NOT LINSGD_SANITIZE)
    target_link_options(${target} PRIVATE "LINKER:--exclude-libs,ALL")
  endif()
endfunction()
