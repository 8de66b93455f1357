# One interface target carries the language level, the warnings and the strict Qt
# defines; every Sockpit target links it so that the whole tree builds the same way.
add_library(sockpit_options INTERFACE)
add_library(Sockpit::options ALIAS sockpit_options)

target_compile_features(sockpit_options INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)

target_compile_options(sockpit_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
if(SOCKPIT_WERROR)
    target_compile_options(sockpit_options INTERFACE -Werror)
endif()

target_compile_definitions(sockpit_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_FOREACH
    QT_NO_KEYWORDS
    QT_USE_QSTRINGBUILDER
    QT_STRICT_ITERATORS
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    SOCKPIT_VERSION="${PROJECT_VERSION}")

if(SOCKPIT_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "SOCKPIT_FUZZ needs clang (libFuzzer): use the `fuzz` preset")
    endif()
    target_compile_options(sockpit_options INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    target_link_options(sockpit_options INTERFACE -fsanitize=address,undefined)
endif()

if(SOCKPIT_SANITIZE)
    target_compile_options(sockpit_options INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(sockpit_options INTERFACE -fsanitize=address,undefined)
endif()
