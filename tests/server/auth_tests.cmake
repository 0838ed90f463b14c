# Tests of kring_server_auth (host-adapters/server/auth.cmake); included from tests/server/CMakeLists.txt.

add_executable(kring_server_auth_tests
  ${CMAKE_CURRENT_LIST_DIR}/token_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/guest_credential_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/site_config_test.cpp)
target_link_libraries(kring_server_auth_tests PRIVATE kring_server_auth kring_catch_main)
catch_discover_tests(kring_server_auth_tests TEST_PREFIX "server auth: " EXTRA_ARGS --warn NoTests)
