package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openrdap/rdap"
)

// RDAP defaults: the lifetime of an answer without Cache-Control, the time a
// lookup may take, the answers kept, the largest response body read and how
// long a failed lookup (timeout, server error) is remembered.
const (
	DefaultRDAPTTL     = time.Hour
	DefaultRDAPTimeout = 5 * time.Second
	rdapCacheSize      = 4096
	rdapMaxBody        = 1 << 20
	rdapFailTTL        = time.Minute
)

// ErrRDAPNotFound is returned when the RDAP server knows no network of the
// IP, or the network names no abuse contact.
var ErrRDAPNotFound = errors.New("rdap: no abuse contact")

// RDAPClient finds the abuse contact of an IP network by RDAP (RFC 9082,
// RFC 9083) through github.com/openrdap/rdap. It queries only the configured
// server (rdap_url) or the server the configured bootstrap registry names
// for the IP (rdapboot.go), never a URL taken from a report; the answer
// names the server that gave it (Provider.Via). It caches each answer
// for the lifetime its response gives (Cache-Control max-age), a not-found
// answer included; a failure is remembered for a minute.
type RDAPClient struct {
	server  *url.URL       // the one server asked (rdap_url), or nil:
	boot    *rdapBootstrap // the server is chosen by bootstrap
	timeout time.Duration
	client  *rdap.Client
	now     func() time.Time

	mu    sync.Mutex
	cache map[string]rdapEntry
}

type rdapEntry struct {
	p       Provider
	err     error
	expires time.Time
}

// NewRDAPClient returns a client of the RDAP server at base: the server's
// base URL ("https://rdap.arin.net/registry/") or its IP path
// ("https://rdap.org/ip/"); the IP is appended as {base}ip/{ip}. timeout
// bounds each lookup (0: DefaultRDAPTimeout).
func NewRDAPClient(base string, timeout time.Duration) (*RDAPClient, error) {
	base = strings.TrimSuffix(strings.TrimSuffix(base, "/"), "/ip")
	u, err := url.Parse(base + "/")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("rdap_url %q: not an http(s) URL", base)
	}
	if timeout <= 0 {
		timeout = DefaultRDAPTimeout
	}
	hc := &http.Client{Timeout: timeout, Transport: limitedTransport{http.DefaultTransport}}
	return &RDAPClient{server: u, timeout: timeout, cache: map[string]rdapEntry{},
		client: &rdap.Client{HTTP: hc, UserAgent: "abusedesk"}}, nil
}

// NewRDAPBootstrapClient returns a client that asks, for each IP, the RDAP
// server that the RFC 9224 bootstrap registry at registry names for it:
// registry is the http(s) URL of the directory holding ipv4.json and
// ipv6.json (DefaultRDAPBootstrap), or a local directory holding them, or a
// local file holding entries of both families. Addresses no public
// registry holds (private, documentation, ...) are not looked up.
func NewRDAPBootstrapClient(registry string, timeout time.Duration) (*RDAPClient, error) {
	if timeout <= 0 {
		timeout = DefaultRDAPTimeout
	}
	hc := &http.Client{Timeout: timeout, Transport: limitedTransport{http.DefaultTransport}}
	b, err := newRDAPBootstrap(registry, hc)
	if err != nil {
		return nil, err
	}
	return &RDAPClient{boot: b, timeout: timeout, cache: map[string]rdapEntry{},
		client: &rdap.Client{HTTP: hc, UserAgent: "abusedesk"}}, nil
}

// Lookup returns the provider of the IP network that holds ip: the
// network's name (or handle) and the email of its entity with the "abuse"
// role. It gives up after the client's timeout.
func (c *RDAPClient) Lookup(ctx context.Context, ip string) (Provider, error) {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return Provider{}, fmt.Errorf("rdap: %q is not an IP address", ip)
	}
	key := addr.Unmap().String()
	now := c.clock()
	c.mu.Lock()
	e, ok := c.cache[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.p, e.err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	srv, err := c.serverFor(ctx, addr.Unmap())
	if err != nil {
		ttl := rdapFailTTL
		if errors.Is(err, ErrRDAPNotFound) {
			ttl = DefaultRDAPTTL
		}
		c.store(key, rdapEntry{err: err, expires: now.Add(ttl)})
		return Provider{}, err
	}
	req := (&rdap.Request{Type: rdap.IPRequest, Query: key, Server: srv}).WithContext(ctx)
	resp, err := c.client.Do(req)
	var ce *rdap.ClientError
	switch {
	case errors.As(err, &ce) && ce.Type == rdap.ObjectDoesNotExist:
		err = ErrRDAPNotFound
	case err != nil:
		// A slow or failing server is asked again only after rdapFailTTL,
		// so the retries of a case (and the cases after it) do not wait
		// for it each time.
		err = fmt.Errorf("rdap %s: %w", key, err)
		c.store(key, rdapEntry{err: err, expires: now.Add(rdapFailTTL)})
		return Provider{}, err
	}
	var p Provider
	if err == nil {
		p, err = providerOf(resp.Object)
		p.Via = answeredBy(resp, srv)
	}
	c.store(key, rdapEntry{p: p, err: err, expires: now.Add(maxAge(resp))})
	return p, err
}

// serverFor is the RDAP base URL to ask about addr.
func (c *RDAPClient) serverFor(ctx context.Context, addr netip.Addr) (*url.URL, error) {
	if c.boot != nil {
		return c.boot.server(ctx, addr)
	}
	srv := *c.server
	return &srv, nil
}

// answeredBy is the host name of the server that gave the answer (after
// redirects, e.g. from rdap.org to a regional registry).
func answeredBy(resp *rdap.Response, srv *url.URL) string {
	if resp != nil && len(resp.HTTP) > 0 {
		if r := resp.HTTP[len(resp.HTTP)-1].Response; r != nil && r.Request != nil && r.Request.URL != nil {
			return r.Request.URL.Hostname()
		}
	}
	return srv.Hostname()
}

func (c *RDAPClient) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// store keeps an answer; a full cache first drops the expired answers, then
// (still full) all of them.
func (c *RDAPClient) store(key string, e rdapEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cache) >= rdapCacheSize {
		now := c.clock()
		for k, old := range c.cache {
			if !now.Before(old.expires) {
				delete(c.cache, k)
			}
		}
		if len(c.cache) >= rdapCacheSize {
			clear(c.cache)
		}
	}
	c.cache[key] = e
}

// providerOf reads the network's name and its abuse entity's email.
func providerOf(obj rdap.RDAPObject) (Provider, error) {
	n, ok := obj.(*rdap.IPNetwork)
	if !ok {
		return Provider{}, ErrRDAPNotFound
	}
	email := abuseEmail(n.Entities, 0)
	if email == "" {
		return Provider{}, ErrRDAPNotFound
	}
	name := n.Name
	if name == "" {
		name = n.Handle
	}
	return Provider{Name: name, AbuseEmail: email, Found: true, Source: SourceRDAP}, nil
}

// abuseEmail finds, depth first, the first entity with the abuse role that
// has an email in its vCard; entities nest (RFC 9083 section 5.1).
func abuseEmail(es []rdap.Entity, depth int) string {
	if depth > 8 {
		return ""
	}
	for _, e := range es {
		for _, r := range e.Roles {
			if strings.EqualFold(r, "abuse") && e.VCard != nil {
				if m := strings.TrimSpace(e.VCard.Email()); strings.Contains(m, "@") {
					return m
				}
			}
		}
	}
	for _, e := range es {
		if m := abuseEmail(e.Entities, depth+1); m != "" {
			return m
		}
	}
	return ""
}

// maxAge is the lifetime of an answer: the response's Cache-Control
// max-age, at most a day; DefaultRDAPTTL without one.
func maxAge(resp *rdap.Response) time.Duration {
	if resp == nil || len(resp.HTTP) == 0 || resp.HTTP[len(resp.HTTP)-1].Response == nil {
		return DefaultRDAPTTL
	}
	h := resp.HTTP[len(resp.HTTP)-1].Response.Header.Get("Cache-Control")
	for _, d := range strings.Split(h, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "no-store" || d == "no-cache" {
			return 0
		}
		if v, ok := strings.CutPrefix(d, "max-age="); ok {
			if s, err := strconv.Atoi(v); err == nil && s >= 0 {
				return min(time.Duration(s)*time.Second, 24*time.Hour)
			}
		}
	}
	return DefaultRDAPTTL
}

// limitedTransport caps every response body at rdapMaxBody bytes.
type limitedTransport struct{ rt http.RoundTripper }

func (t limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	if err == nil {
		resp.Body = limitedBody{io.LimitReader(resp.Body, rdapMaxBody), resp.Body}
	}
	return resp, err
}

type limitedBody struct {
	io.Reader
	io.Closer
}
