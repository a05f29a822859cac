// The one translation unit that compiles Asio and Beast (BOOST_*_SEPARATE_COMPILATION), so
// other files only parse their declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>  // TLS for outbound calls (external/http_client.cpp)
#include <boost/beast/src.hpp>
