// Package integration holds tests that run the real thing in-process: the
// embedded Temporal server over gRPC, SQLite or PostgreSQL, a loopback SMTP
// server, and the HTTP API through net/http.
package integration
