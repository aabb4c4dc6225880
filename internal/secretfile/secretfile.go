// Package secretfile holds the one rule for files of generated secrets in
// the data directory (payload keys, DKIM key): only their owner may read
// them.
package secretfile

import (
	"fmt"
	"io/fs"
	"runtime"
)

// Mode is the mode secret files are created with.
const Mode fs.FileMode = 0o600

// CheckPrivate refuses a secret file that others than its owner may read or
// write (not checked on Windows, which has no such mode bits).
func CheckPrivate(path string, info fs.FileInfo) error {
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return fmt.Errorf("key file %s has mode %04o, readable by others: run chmod 600 %s", path, perm, path)
	}
	return nil
}
