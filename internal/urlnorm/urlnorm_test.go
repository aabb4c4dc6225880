package urlnorm

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://sec.example/dir/page.html", "https://sec.example/dir/page.html"},
		{"https://sec.example/%64ir/page.html", "https://sec.example/dir/page.html"},
		{"https://sec.example/./dir/page.html", "https://sec.example/dir/page.html"},
		{"https://sec.example/x/../dir/page.html", "https://sec.example/dir/page.html"},
		{"HTTPS://SEC.Example.:443/dir//page.html#top", "https://sec.example/dir/page.html"},
		{`https:\\sec.example\dir\page.html`, "https://sec.example/dir/page.html"},
		{"https://u:p@sec.example/dir%2Fpage.html", "https://sec.example/dir/page.html"},
		{"https://sec.example/dir%5cpage.html", "https://sec.example/dir/page.html"},
		{"https://sec%2Eexample/%2e%2E/dir/page.html", "https://sec.example/dir/page.html"},
		{"https://sec。example/dir/", "https://sec.example/dir/"},
		{"https://sec.example:8443/dir/", "https://sec.example:8443/dir/"},
		{"http://sec.example:80", "http://sec.example/"},
		{"http://sec.example:443/", "http://sec.example:443/"},
		{"https://bücher.example/ä b", "https://xn--bcher-kva.example/%C3%A4%20b"},
		{"https://sec.example/a%3fb%2a%7E%zz%", "https://sec.example/a%3Fb*~%25zz%25"},
		{"https://sec.example/a/b/c/./../../g", "https://sec.example/a/g"},
		{"https://sec.example/../../dir/.", "https://sec.example/dir/"},
		{"https://sec.example/p?a=%26&b=%7e&c=/d", "https://sec.example/p?a=%26&b=~&c=/d"},
		{"https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"},
	} {
		got, err := URL(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"ftp://sec.example/", "https://sec..example/", "https://sec.example:99999/",
		"https://se c.example/", "https://sec%zz.example/", "https:///", "javascript:alert(1)"} {
		_, err := URL(bad)
		require.Error(t, err, bad)
	}
}

func TestUnder(t *testing.T) {
	p := "https://sec.example/dir/"
	for u, want := range map[string]bool{
		"https://sec.example/dir/":          true,
		"https://sec.example/dir/page.html": true,
		"https://sec.example/dir":           true,
		"https://sec.example/dir?x=1":       true,
		"https://sec.example/dir2/page":     false,
		"https://sec.example/di":            false,
		"https://sec.example/":              false,
		"https://sec.example/other/dir/":    false,
		"https://sec.example.org/dir/":      false,
		"http://sec.example/dir/":           false,
	} {
		require.Equal(t, want, Under(u, p), u)
	}
	require.True(t, Under("https://sec.example/anything", "https://sec.example/"))
	require.False(t, Under("https://sec.example", "https://sec.example/"), "only normal forms are compared")
	require.False(t, Under("https://sec.example/x", ""))
	require.False(t, Under("/", "/"+"/"))
}

// spell writes u (scheme://host/path, in normal form, with a path of plain
// segments) in a random equivalent way: scheme and host case, trailing dot,
// default port, user information, escaped host letters, escaped path
// characters in either hex case, "." and "x/.." segments, doubled slashes,
// "\", "%2F" or "%5C" as separators, a leading "/..", a fragment.
func spell(r *rand.Rand, u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	host, path, _ := strings.Cut(rest, "/")
	var b strings.Builder
	b.WriteString(randCase(r, scheme) + "://")
	if r.Intn(4) == 0 {
		b.WriteString("user:pw@")
	}
	for i := 0; i < len(host); i++ {
		if host[i] != '.' && r.Intn(5) == 0 {
			b.WriteString(escapeByte(r, host[i]))
		} else {
			b.WriteString(randCase(r, host[i:i+1]))
		}
	}
	if r.Intn(3) == 0 {
		b.WriteString(".")
	}
	if r.Intn(3) == 0 {
		b.WriteString(map[string]string{"https": ":443", "http": ":80"}[scheme])
	}
	sep := func() string { return []string{"/", "/", "//", `\`, "%2F", "%5c", "/./", "/zz/../"}[r.Intn(8)] }
	if r.Intn(4) == 0 {
		b.WriteString("/..")
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if i == 0 {
			b.WriteString([]string{"/", "//", "/./", `\`}[r.Intn(4)])
		} else {
			b.WriteString(sep())
		}
		for j := 0; j < len(s); j++ {
			if r.Intn(3) == 0 {
				b.WriteString(escapeByte(r, s[j]))
			} else {
				b.WriteByte(s[j])
			}
		}
	}
	if r.Intn(4) == 0 {
		b.WriteString("#frag")
	}
	return b.String()
}

func randCase(r *rand.Rand, s string) string {
	b := []byte(s)
	for i := range b {
		if r.Intn(2) == 0 {
			b[i] = strings.ToUpper(string(b[i]))[0]
		}
	}
	return string(b)
}

func escapeByte(r *rand.Rand, c byte) string {
	e := fmt.Sprintf("%%%02X", c)
	if r.Intn(2) == 0 {
		e = strings.ToLower(e)
	}
	return e
}

// TestSpellingsProperty: every generated spelling of a blocked URL is
// under the block, and every spelling of a sibling is not.
func TestSpellingsProperty(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	prefix := Prefix("https://sec.example/dir/")
	blocked := []string{"https://sec.example/dir/page.html", "https://sec.example/dir/", "https://sec.example/dir/a/b-c_d~e.txt"}
	siblings := []string{"https://sec.example/dir2/page.html", "https://sec.example/di/r/page.html",
		"https://sec.example/other/dir/page.html", "https://sec.example/Dir/page.html", "https://sec.example/dir.x/p",
		"https://sec.example.org/dir/page.html", "https://xsec.example/dir/page.html", "http://sec.example/dir/page.html"}
	for i := 0; i < 3000; i++ {
		u := blocked[i%len(blocked)]
		s := spell(r, u)
		n, err := URL(s)
		require.NoError(t, err, s)
		require.Equal(t, u, n, "spelling %q", s)
		require.True(t, Under(n, prefix), "spelling %q of a blocked URL", s)

		sib := siblings[i%len(siblings)]
		s = spell(r, sib)
		n, err = URL(s)
		require.NoError(t, err, s)
		require.Equal(t, sib, n, "spelling %q", s)
		require.False(t, Under(n, prefix), "spelling %q of a sibling", s)
	}
}

// TestNormalFormIsStable: normalising a normal form changes nothing.
func TestNormalFormIsStable(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	alphabet := []string{"a", "/", ".", "..", "%2e", "%2F", `\`, "%25", "%", "%7e", "%41", "?", "é", " ", "%3f", ";", "//"}
	for i := 0; i < 5000; i++ {
		var b strings.Builder
		for j := r.Intn(12); j >= 0; j-- {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		n, err := URL("https://sec.example/" + b.String())
		require.NoError(t, err)
		again, err := URL(n)
		require.NoError(t, err)
		require.Equal(t, n, again, "input %q", b.String())
	}
}
