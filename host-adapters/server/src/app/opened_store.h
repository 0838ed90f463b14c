// The store kring-server was started on (--db), chosen once: SQLite for one server, PostgreSQL for
// several over one database. Past start-up the server sees only what every store has: the Store
// the sites are restored from, the OpIdLookup for old op ids, and the OpLog their ops go to.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>

#include "app/server.h"
#include "app/server_flags.h"
#include "store/op_log.h"
#include "store/store.h"
#include "store/store_health.h"
#include "util/startup_error.h"

namespace kring::server {

class OpenedStore {
 public:
  virtual ~OpenedStore() = default;
  // Opens and migrates the store named by flags.database; store_unavailable names it without its
  // password. With PostgreSQL it also names this server in flags.site.serverName.
  static StartupResult<std::unique_ptr<OpenedStore>> open(ServerFlags& flags);

  virtual Store& store() = 0;
  virtual OpIdLookup& opIds() = 0;
  StoreHealth& health() { return health_; }
  // Starts the op log once every site of `server` is restored (it reads the store until then); it
  // hands what it has written back on `io`, and times it in the server's metrics.
  virtual StartupResult<OpLog*> startLog(boost::asio::io_context& io, Server& server, const ServerFlags& flags) = 0;

 protected:
  StoreHealth health_;
};

}  // namespace kring::server
