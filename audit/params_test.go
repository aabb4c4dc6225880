package audit

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProofParams(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		logSize    uint64
		incl, cons string // the parameter named by the error; "" for none
	}{
		{"in range", "3", "10", 20, "", ""},
		{"size defaults to the log", "19", "", 20, "", ""},
		{"from beyond the log", "21", "", 20, "index", "from"},
		{"size beyond the log", "0", "4000000000000", 20, "size", "to"},
		{"max uint64", "0", "18446744073709551615", 20, "size", "to"},
		{"beyond uint64", "0", "18446744073709551616", 20, "size", "to"},
		{"index at size", "10", "10", 20, "index", ""},
		{"from after to", "11", "10", 20, "index", "from"},
		{"negative", "-1", "5", 20, "index", "from"},
		{"not a number", "x", "5", 20, "index", "from"},
		{"empty log", "0", "", 0, "index", ""},
		{"missing first", "", "5", 20, "index", "from"},
		{"too long", "000000000000000000001", "5", 20, "index", "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := InclusionParams(tc.a, tc.b, tc.logSize)
			requireParam(t, tc.incl, err)
			_, _, err = ConsistencyParams(tc.a, tc.b, tc.logSize)
			requireParam(t, tc.cons, err)
		})
	}
}

func requireParam(t *testing.T, want string, err error) {
	t.Helper()
	if want == "" {
		require.NoError(t, err)
		return
	}
	var pe *ParamError
	require.True(t, errors.As(err, &pe), "want a ParamError naming %s, got %v", want, err)
	require.Equal(t, want, pe.Param, pe.Message)
}

// FuzzAuditProofParams: whatever the query says, the checked parameters
// lie inside the log (so a proof never loads more than the log holds), and
// a refusal names one of the request's parameters.
func FuzzAuditProofParams(f *testing.F) {
	f.Add("0", "4000000000000", uint64(5))
	f.Add("0", "18446744073709551615", uint64(0))
	f.Add("3", "", uint64(math.MaxUint64))
	f.Fuzz(func(t *testing.T, a, b string, logSize uint64) {
		idx, size, err := InclusionParams(a, b, logSize)
		if err == nil {
			if size > logSize || idx >= size {
				t.Fatalf("inclusion %q %q in log %d: index %d size %d accepted", a, b, logSize, idx, size)
			}
		} else {
			checkParamError(t, err, "index", "size")
		}
		from, to, err := ConsistencyParams(a, b, logSize)
		if err == nil {
			if to > logSize || from > to {
				t.Fatalf("consistency %q %q in log %d: from %d to %d accepted", a, b, logSize, from, to)
			}
		} else {
			checkParamError(t, err, "from", "to")
		}
	})
}

func checkParamError(t *testing.T, err error, names ...string) {
	var pe *ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a ParamError", err)
	}
	for _, n := range names {
		if pe.Param == n && pe.Message != "" {
			return
		}
	}
	t.Fatalf("error %v names %q, not one of %v", err, pe.Param, names)
}
