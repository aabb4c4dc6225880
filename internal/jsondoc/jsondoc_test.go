package jsondoc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDuplicates(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want []string
	}{
		{`{"category":"phishing","category":"csam"}`, []string{"category"}},
		{`{"a":1,"b":{"c":1,"c":2},"a":3,"a":4}`, []string{"b.c", "a"}},
		{`{"reporter":{"email":"a@b.example","name":"x","email":"c@d.example"}}`, []string{"reporter.email"}},
		{`{"evidence":[{"hash":"1"},{"hash":"1","hash":"2"}]}`, []string{"evidence[1].hash"}},
		{`[{"x":[[{"y":1,"y":2}]]}]`, []string{"[0].x[0][0].y"}},
		{`{"a":{},"b":[],"a2":{"a":1},"c":{"a":1}}`, nil},
		{`{"k":"v","K":"v"}`, []string{"K"}},
		{`{"":1,"":{"":2,"":3}}`, []string{`""`, `"".""`}},
		{`{"kind":"v","\u212aind":"v","ſ":1,"S":2}`, []string{"\u212aind", "S"}},
		{`{"u":"\u0063","c":1,"\u0063":2}`, []string{"c"}},
	} {
		got, err := Duplicates([]byte(tc.doc))
		require.NoError(t, err, tc.doc)
		require.Equal(t, tc.want, got, tc.doc)
	}
	_, err := Duplicates([]byte(`{"a":1,`))
	require.Error(t, err)
}

func TestDigest(t *testing.T) {
	a := Digest([]byte(`{"b": [1, 2.0, "x"], "a": {"d": true, "c": null}}`))
	require.Equal(t, a, Digest([]byte("{\"a\":{\"c\":null,\"d\":true},\n\"b\":[1,2.0,\"\\u0078\"]}")))
	require.NotEqual(t, a, Digest([]byte(`{"a":{"c":null,"d":true},"b":[1,2,"x"]}`)))
	require.NotEqual(t, Digest([]byte(`{"a":1} {"a":1}`)), Digest([]byte(`{"a":1}`)))
}
