# caplnet_add_program(NAME SOURCES...): a node program as a shared object for
# `caplnet node NODE.toml --program NAME.so`. It is not linked against any caplnet library: the CAPL
# functions resolve from the caplnet executable that loads it, so the process holds one runtime
# (and lwIP's sys_now override stays in the executable).
function(caplnet_add_program name)
  add_library(${name} MODULE ${ARGN})
  set_target_properties(${name} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden)
  if(TARGET caplnet_capl)  # in the caplnet tree
    # One directory for every program of the tree, so `caplnet run` finds them by name.
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/programs)
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/capl_api/include ${CMAKE_SOURCE_DIR})
    target_link_libraries(${name} PRIVATE caplnet_options)
  else()                   # from an installed caplnet (find_package)
    target_include_directories(${name} PRIVATE ${CAPLNET_INCLUDE_DIR})
  endif()
  target_link_libraries(${name} PRIVATE tl::expected)
  target_compile_features(${name} PRIVATE cxx_std_20)
endfunction()
