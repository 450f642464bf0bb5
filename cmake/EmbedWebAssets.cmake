# Turns the dashboard's and the report's web files into one C++ source, so
# that `intuition` serves them itself and writes them into reports: nothing
# is loaded from outside the process. Run in script mode:
#   cmake -DOUTPUT=file.cpp -DASSETS="name=path;..." -P EmbedWebAssets.cmake
# Each asset becomes `std::string_view NAME` in intuition::runtime::web.
set(body "")
foreach(entry IN LISTS ASSETS)
  string(FIND "${entry}" "=" eq)
  string(SUBSTRING "${entry}" 0 ${eq} name)
  math(EXPR from "${eq} + 1")
  string(SUBSTRING "${entry}" ${from} -1 path)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND body "const char ${name}_bytes[] = {${bytes}'\\0'};\n")
  string(APPEND body
         "const std::string_view ${name}{${name}_bytes, ${size}};\n\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
     "// Generated from web/ by cmake/EmbedWebAssets.cmake; do not edit.\n"
     "#include \"runtime/web_assets.hpp\"\n\n"
     "namespace intuition::runtime::web {\n\n${body}"
     "} // namespace intuition::runtime::web\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${OUTPUT}.tmp"
                        "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
