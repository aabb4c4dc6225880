package audit

import (
	"fmt"
	"strconv"
	"strings"
)

// ParamError is a proof request parameter that is not a number or lies
// outside the log; Param names it (index, size, from or to).
type ParamError struct {
	Param   string
	Message string
}

// Error implements error.
func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

// maxParamLen bounds a numeric parameter's text: a uint64 has at most 20
// digits.
const maxParamLen = 20

// parseCount reads a parameter as a non-negative integer; empty is def.
func parseCount(name, s string, def uint64) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	if len(s) > maxParamLen {
		return 0, &ParamError{name, "must be a number of at most 20 digits"}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, &ParamError{name, fmt.Sprintf("%q is not a non-negative integer", s)}
	}
	return n, nil
}

// InclusionParams checks the parameters of an inclusion proof request
// against logSize, the log's current size, before anything is read or
// allocated: size defaults to (and 0 means) logSize and must not exceed it;
// index must be below size. The error is a *ParamError.
func InclusionParams(indexS, sizeS string, logSize uint64) (index, size uint64, err error) {
	if size, err = parseCount("size", sizeS, 0); err != nil {
		return 0, 0, err
	}
	if size == 0 {
		size = logSize
	}
	if size > logSize {
		return 0, 0, &ParamError{"size", fmt.Sprintf("%d exceeds the log's %d entries", size, logSize)}
	}
	if strings.TrimSpace(indexS) == "" {
		return 0, 0, &ParamError{"index", "is required (the entry's sequence number)"}
	}
	if index, err = parseCount("index", indexS, 0); err != nil {
		return 0, 0, err
	}
	if size == 0 {
		return 0, 0, &ParamError{"index", "the log is empty: no entry to prove"}
	}
	if index >= size {
		return 0, 0, &ParamError{"index", fmt.Sprintf("%d is not below the tree size %d", index, size)}
	}
	return index, size, nil
}

// ConsistencyParams checks the parameters of a consistency proof request
// against logSize, the log's current size: to defaults to logSize and must
// not exceed it; from is required and must not exceed to. The error is a
// *ParamError.
func ConsistencyParams(fromS, toS string, logSize uint64) (from, to uint64, err error) {
	if to, err = parseCount("to", toS, logSize); err != nil {
		return 0, 0, err
	}
	if to > logSize {
		return 0, 0, &ParamError{"to", fmt.Sprintf("%d exceeds the log's %d entries", to, logSize)}
	}
	if strings.TrimSpace(fromS) == "" {
		return 0, 0, &ParamError{"from", "is required (the older tree size)"}
	}
	if from, err = parseCount("from", fromS, 0); err != nil {
		return 0, 0, err
	}
	if from > to {
		return 0, 0, &ParamError{"from", fmt.Sprintf("%d exceeds to (%d)", from, to)}
	}
	return from, to, nil
}
