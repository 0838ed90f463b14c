// Generated from sdk/schema/kring.capnp by sdk/schema/enum_tables.cmake. Do not edit.
// const enums: each use compiles to its snake_case name, so the bundle holds only the names it uses.

export const enum ProtocolError {
  flood = 'flood',
  textFrame = 'text_frame',
  frameTooLarge = 'frame_too_large',
  malformedFrame = 'malformed_frame',
  helloFirst = 'hello_first',
  helloTwice = 'hello_twice',
  helloTimeout = 'hello_timeout',
  unsupportedProtocol = 'unsupported_protocol',
  unknownSite = 'unknown_site',
  originNotAllowed = 'origin_not_allowed',
  guestsNotAllowed = 'guests_not_allowed',
  tooManyGuests = 'too_many_guests',
  badGuestCredential = 'bad_guest_credential',
  badToken = 'bad_token',
  tokenExpired = 'token_expired',
  badThreadKey = 'bad_thread_key',
  tooManySubscriptions = 'too_many_subscriptions',
  serverError = 'server_error',
  internalError = 'internal_error',
  shuttingDown = 'shutting_down',
  badPageRequest = 'bad_page_request',
}
