# cmake -DEXECUTABLE=... -DLINK_INTERFACE_FILE=... -P check_no_gui_libraries.cmake
# Fails when the core's link interface names Qt Gui/Widgets, or when an executable that
# links only the core loads libQt6Gui or libQt6Widgets at run time.
foreach(var EXECUTABLE LINK_INTERFACE_FILE)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "${var} is not set")
    endif()
endforeach()

file(READ "${LINK_INTERFACE_FILE}" interface)
if(interface MATCHES "Qt6?::(Gui|Widgets|OpenGL|Quick|Qml)")
    message(FATAL_ERROR "sockpit_core links ${CMAKE_MATCH_0}: ${interface}")
endif()

execute_process(COMMAND ldd "${EXECUTABLE}"
    OUTPUT_VARIABLE libraries ERROR_VARIABLE ldd_error RESULT_VARIABLE ldd_result)
if(NOT ldd_result EQUAL 0)
    message(FATAL_ERROR "ldd failed on ${EXECUTABLE}: ${ldd_error}")
endif()
# Guard against checking the wrong file: the executable must load Qt Core.
if(NOT libraries MATCHES "libQt6Core")
    message(FATAL_ERROR "ldd does not list libQt6Core for ${EXECUTABLE}:\n${libraries}")
endif()
string(REGEX MATCHALL "libQt6(Gui|Widgets|OpenGL|XcbQpa)[^ \t\n]*" gui "${libraries}")
if(gui)
    message(FATAL_ERROR "${EXECUTABLE} loads ${gui}, yet it links only sockpit_core")
endif()
message(STATUS "sockpit_core needs no Gui or Widgets library")
