# Token verification and the sites file: kept apart from the rest of kring-server so that they
# build and test without the network and storage code. Included from the top-level CMakeLists.txt.
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
find_package(CURL REQUIRED)  # a site's JWKS from its OpenID Connect provider (auth/jwks_fetch.cpp)

add_library(kring_server_auth STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/mail_address.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/signing.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/token.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/jwt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/public_key.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/jwks_fetch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/site_keys.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/oidc_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/oidc_token.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/site_token.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/webhook_signature.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/thread_ticket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/guest_credential.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/imported_author.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/auth/site_config.cpp)
target_include_directories(kring_server_auth PUBLIC ${CMAKE_CURRENT_LIST_DIR}/src)
target_link_libraries(kring_server_auth PUBLIC kring_core kring_policy_json PRIVATE OpenSSL::Crypto Boost::json CURL::libcurl)
