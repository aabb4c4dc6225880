// Package faults holds fault tests that run the real abusedesk binary as
// subprocesses on loopback and break things under load: kill -9 of the
// all-in-one process, the SMTP relay down, PostgreSQL restarted, a worker
// of a split deployment killed. Each asserts counts: every accepted report
// reaches its expected state, the SMTP server receives exactly the
// expected notices, none twice.
//
// The tests build cmd/abusedesk once (TestMain) and exec it with
// ABUSEDESK_* environment variables, as an operator would. The
// PostgreSQL restart disturbs every other user of the server, so it runs
// only under CI=true or ABUSEDESK_FAULTS=1.
package faults
