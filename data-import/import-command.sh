#!/bin/sh
# `npm run import`: starts the import command (import-command.mjs) with Node.
# Node 20 builds its whole root certificate store as it starts whenever NODE_EXTRA_CA_CERTS is set
# (even to an empty file): 45 ms on a 2-core machine, a sixth of a 5,000-point import. The command
# uses certificates only on a TLS connection to PostgreSQL, so it starts without that variable
# unless the connection may use TLS: DATABASE_URL mentions ssl (sslmode, ssl, sslrootcert…, or
# anything else spelled so: kept to be safe) or holds a %-escape (pg decodes `%73slmode` into
# sslmode), or PGSSLMODE is set. The embedded database is reached over a unix socket.
case "${DATABASE_URL:-}${PGSSLMODE+ssl}" in
  *[sS][sS][lL]* | *%*) ;;
  *) unset NODE_EXTRA_CA_CERTS ;;
esac
exec "${npm_node_execpath:-node}" "$(dirname "$0")/import-command.mjs" "$@"
