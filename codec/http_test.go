package codec

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

const uiOrigin = "http://localhost:8233"

func newTestServer(t *testing.T, ring string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(Handler(testRing(t, ring), []string{uiOrigin + "/"}))
	t.Cleanup(srv.Close)
	return srv
}

// post sends payloads as protojson, as the Web UI does, and returns the
// status, body and response.
func post(t *testing.T, url string, payloads []*commonpb.Payload, origin string) (int, string, *http.Response) {
	t.Helper()
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: payloads})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "default")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(out), resp
}

func decodeBody(t *testing.T, body string) []*commonpb.Payload {
	t.Helper()
	var ps commonpb.Payloads
	require.NoError(t, protojson.Unmarshal([]byte(body), &ps), body)
	return ps.Payloads
}

func TestHandlerDecodes(t *testing.T) {
	srv := newTestServer(t, "k1:"+testKey(1))
	in := plainPayloads(t)
	enc, err := NewCodec(testRing(t, "k1:"+testKey(1))).Encode(in)
	require.NoError(t, err)

	status, body, resp := post(t, srv.URL+DecodePath, enc, uiOrigin)
	require.Equal(t, http.StatusOK, status, body)
	require.True(t, strings.HasPrefix(body, `{"payloads":[`), body)
	require.Equal(t, uiOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"))
	dec := decodeBody(t, body)
	require.Len(t, dec, len(in))
	for i := range in {
		require.True(t, proto.Equal(in[i], dec[i]), "payload %d", i)
	}

	// A payload nobody encrypted is shown as it is.
	status, body, _ = post(t, srv.URL+DecodePath, in, uiOrigin)
	require.Equal(t, http.StatusOK, status, body)
	shown := decodeBody(t, body)
	require.True(t, proto.Equal(in[0], shown[0]))
}

func TestHandlerRefusesEncode(t *testing.T) {
	srv := newTestServer(t, "k1:"+testKey(1))
	status, body, _ := post(t, srv.URL+EncodePath, plainPayloads(t), uiOrigin)
	require.Equal(t, http.StatusForbidden, status, body)
	require.NotContains(t, body, `"payloads"`)
}

func TestHandlerDecodeErrorIsClear(t *testing.T) {
	enc, err := NewCodec(testRing(t, "old:"+testKey(1))).Encode(plainPayloads(t))
	require.NoError(t, err)
	srv := newTestServer(t, "k2:"+testKey(2))

	status, body, _ := post(t, srv.URL+DecodePath, enc, uiOrigin)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `codec: unknown key id "old"`)
}

func TestHandlerRoutes(t *testing.T) {
	srv := newTestServer(t, "k1:"+testKey(1))
	status, _, _ := post(t, srv.URL+"/elsewhere/decode", plainPayloads(t), "")
	require.Equal(t, http.StatusNotFound, status, "only the two codec paths")

	resp, err := http.Get(srv.URL + DecodePath)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	resp, err = http.Post(srv.URL+DecodePath, "application/json", strings.NewReader("not json"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func preflight(t *testing.T, url, origin string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, url, nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace,authorization")
	require.True(t, IsPreflight(req))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func TestHandlerPreflight(t *testing.T) {
	srv := newTestServer(t, "k1:"+testKey(1))

	for _, path := range []string{EncodePath, DecodePath} {
		resp := preflight(t, srv.URL+path, uiOrigin)
		require.Contains(t, []int{http.StatusOK, http.StatusNoContent}, resp.StatusCode)
		h := resp.Header
		require.Equal(t, uiOrigin, h.Get("Access-Control-Allow-Origin"))
		require.Equal(t, "true", h.Get("Access-Control-Allow-Credentials"))
		require.Contains(t, h.Get("Access-Control-Allow-Methods"), "POST")
		require.Contains(t, h.Get("Access-Control-Allow-Methods"), "OPTIONS")
		for _, want := range []string{"Content-Type", "X-Namespace", "Authorization"} {
			require.Contains(t, h.Get("Access-Control-Allow-Headers"), want)
		}
		require.Contains(t, h.Values("Vary"), "Origin")
	}
}

func TestHandlerDisallowedOrigin(t *testing.T) {
	srv := newTestServer(t, "k1:"+testKey(1))

	resp := preflight(t, srv.URL+DecodePath, "https://evil.example")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
		"Access-Control-Allow-Methods", "Access-Control-Allow-Headers"} {
		require.Empty(t, resp.Header.Get(h), h)
	}

	status, _, r := post(t, srv.URL+DecodePath, plainPayloads(t), "https://evil.example")
	require.Equal(t, http.StatusOK, status, "non-browser clients still work; the browser hides the answer")
	require.Empty(t, r.Header.Get("Access-Control-Allow-Origin"))

	// "*" is not a wildcard for a credentialed endpoint.
	wild := httptest.NewServer(Handler(testRing(t, "k1:"+testKey(1)), []string{"*"}))
	defer wild.Close()
	resp = preflight(t, wild.URL+DecodePath, "https://evil.example")
	require.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
}
