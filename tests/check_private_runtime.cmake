# Fails when a shared library exports the C++ runtime's own symbols: std::locale's and
# std::ios_base's members, which a program defines only by carrying a static copy of libstdc++
# (see cmake/PrivateStaticArchives.cmake). A library that uses the shared libstdc++ imports
# them, and defines none.
#   cmake -DNM=<nm> "-DLIBRARIES=<a.so>;<b.so>" -P check_private_runtime.cmake
foreach(library IN LISTS LIBRARIES)
  execute_process(COMMAND ${NM} -D --defined-only ${library}
                  OUTPUT_VARIABLE symbols RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "${NM} could not read ${library}")
  endif()
  string(REGEX MATCHALL "[^\n]* _ZN(K)?St(6locale|8ios_base)[^\n]*" runtime "${symbols}")
  list(LENGTH runtime count)
  if(count GREATER 0)
    list(GET runtime 0 first)
    message(FATAL_ERROR "${library} exports ${count} symbols of the C++ runtime, the first: "
                        "${first}")
  endif()
  message(STATUS "${library}: no C++ runtime symbol exported")
endforeach()
