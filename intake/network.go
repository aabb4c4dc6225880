package intake

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// The email intake's reports about IP addresses (docs/DESIGN.md step 1):
// each address of a mail that is a customer's origin IP or in the
// provider's own networks becomes one case of service "network" about
// that address, with the rows about it as its evidence; the workflow
// forwards it to the customer (workflows/network.go).
var _ mailintake.NetworkSubmitter = (*Service)(nil)

// MaxNetworkCases bounds the cases one mail makes; the rows about further
// addresses of ours are counted as not examined.
const MaxNetworkCases = 100

// maxRowsInDescription bounds the rows written into a case's description
// (all of them stay in its evidence).
const maxRowsInDescription = 50

// SubmitNetworkReport matches the mail's IP rows (at most
// mailintake.MaxNetworkRows) against the customers' origin IPs and the
// provider's own networks (OwnProvider) and makes one case per matching
// address. One case per address, not per customer: the case is about what
// that address did, its rows are its evidence, and a second mail about
// the same address makes a case of its own that the analyst finds by the
// address; several domains of the customer with that origin are one case.
func (s *Service) SubmitNetworkReport(ctx context.Context, p mailintake.Parsed, raw []byte) (mailintake.NetworkResult, error) {
	evs := p.IPEvents
	res := mailintake.NetworkResult{}
	if len(evs) > mailintake.MaxNetworkRows {
		res.Skipped, evs = len(evs)-mailintake.MaxNetworkRows, evs[:mailintake.MaxNetworkRows]
	}
	res.Examined = len(evs)
	var order []string
	rows := map[string][]mailintake.IPEvent{}
	for _, e := range evs {
		if _, ok := rows[e.IP]; !ok {
			order = append(order, e.IP)
		}
		rows[e.IP] = append(rows[e.IP], e)
	}
	origins, err := store.DomainsWithOrigins(ctx, s.DB, order)
	if err != nil {
		return res, fmt.Errorf("%w: match origins: %v", ErrUnavailable, err)
	}
	own, err := store.OwnNetworks(ctx, s.DB, s.OwnProvider)
	if err != nil {
		return res, fmt.Errorf("%w: own networks: %v", ErrUnavailable, err)
	}
	replayed := 0
	for _, ip := range order {
		if len(origins[ip]) == 0 && !inNetworks(ip, own) {
			res.NotOurs = append(res.NotOurs, rows[ip]...)
			continue
		}
		if len(res.CaseIDs) >= MaxNetworkCases {
			res.Skipped += len(rows[ip])
			res.Examined -= len(rows[ip])
			continue
		}
		id, again, err := s.networkCase(ctx, p, ip, rows[ip])
		if err != nil {
			return res, err
		}
		res.CaseIDs = append(res.CaseIDs, id)
		if again {
			replayed++
		}
	}
	res.Replayed = replayed > 0 && replayed == len(res.CaseIDs)
	return res, nil
}

// inNetworks reports whether ip lies in one of the prefixes.
func inNetworks(ip string, nets []netip.Prefix) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, n := range nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// networkCase stores and starts the case about one address, or finds the
// one a previous delivery of the same mail made.
func (s *Service) networkCase(ctx context.Context, p mailintake.Parsed, ip string, evs []mailintake.IPEvent) (string, bool, error) {
	d := Dedup{Scope: ScopeReport, Digest: p.Digest}
	if p.DedupKey != "" {
		d.Key = p.DedupKey + "#ip:" + ip
		if c, ok, err := s.findSubmission(ctx, d); err != nil || ok {
			return c.CaseID, ok, err
		}
	}
	r := networkRequest(p, ip, evs)
	c, _, err := s.newCase(r, d.Key != "")
	if err != nil {
		return "", false, err
	}
	c.Service = models.ServiceNetwork
	c.CategoryBy = networkCategoryBy(p, evs)
	url := []models.CaseURL{{CaseID: c.ID, Seq: 0, URL: ip, Host: ip}}
	if err := store.CreateCase(ctx, s.DB, &c, url, submissionRows(d, c.ID)); err != nil {
		if d.Key != "" && store.IsUniqueViolation(err) {
			if c, ok, err := s.findSubmission(ctx, d); err != nil || ok {
				return c.CaseID, ok, err
			}
		}
		return "", false, fmt.Errorf("%w: store case: %v", ErrUnavailable, err)
	}
	if err := s.KeepEvidence(ctx, c.ID, r.Source, p.Format, d.EvidenceKey(), []byte(rowsText(evs, len(evs)))); err != nil {
		return "", false, err
	}
	if err := s.Start(ctx, c); err != nil && s.Log != nil {
		s.Log.Warn("network case stored, workflow start failed; the reconciler will start it", "case_id", c.ID, "err", err)
	}
	if s.Log != nil {
		s.Log.Info("network report case made", "case_id", c.ID, "rows", len(evs), "format", p.Format)
	}
	return c.ID, false, nil
}

// networkRequest is the report of one address: the sender as reporter
// (its address only when it reads replies: a robot gets no receipts), the
// rows about the address as description.
func networkRequest(p mailintake.Parsed, ip string, evs []mailintake.IPEvent) models.ReportRequest {
	r := models.ReportRequest{Category: p.Report.Category, Source: mailintake.SourceEmail,
		Reporter: p.Report.Reporter, Untrusted: p.Untrusted || p.Report.Untrusted}
	if !r.Category.Valid() {
		r.Category = models.CategoryOther
	}
	if p.AutoMail() {
		r.Reporter.Email = ""
	}
	if r.Reporter.Organization == "" {
		_, r.Reporter.Organization, _ = strings.Cut(p.From, "@")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Report about the IP address %s (%s): %d %s", ip, kinds(evs), len(evs), plural(len(evs), "row", "rows"))
	if subj := strings.TrimSpace(p.Subject); subj != "" {
		fmt.Fprintf(&b, ", from the mail %q", subj)
	}
	b.WriteString(".\n\n")
	b.WriteString(rowsText(evs, maxRowsInDescription))
	r.Description = b.String()
	if len(r.Description) > mailintake.MaxDescriptionBytes {
		r.Description = r.Description[:mailintake.MaxDescriptionBytes]
	}
	return r
}

// networkCategoryBy says how a network case's category was chosen.
func networkCategoryBy(p mailintake.Parsed, evs []mailintake.IPEvent) string {
	if p.Report.Category.Valid() && p.CategoryBy != "" {
		return p.CategoryBy
	}
	return "default: a report about IP addresses (" + kinds(evs) + ") names no category"
}

// kinds names the report types of the rows ("scan_ntp"), at most three.
func kinds(evs []mailintake.IPEvent) string {
	var out []string
	seen := map[string]bool{}
	for _, e := range evs {
		if k := strings.TrimSpace(e.Kind); k != "" && !seen[k] && len(out) < 3 {
			seen[k] = true
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return "IP report"
	}
	return strings.Join(out, ", ")
}

// rowsText writes up to max rows, one a line, with their evidence.
func rowsText(evs []mailintake.IPEvent, max int) string {
	var b strings.Builder
	for i, e := range evs {
		if i == max {
			fmt.Fprintf(&b, "... and %d more rows (in the case's evidence)\n", len(evs)-max)
			break
		}
		line := e.Evidence
		if line == "" {
			line = strings.TrimSpace(e.IP + " " + e.Port + " " + e.Time + " " + e.Kind)
		}
		b.WriteString("  - " + line + "\n")
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ClaimNetworkAnswer records the day's "not our network" answer to sender
// (store.ClaimNetworkAnswer): true for the first of the UTC day.
func (s *Service) ClaimNetworkAnswer(ctx context.Context, sender string) (bool, error) {
	return store.ClaimNetworkAnswer(ctx, s.DB, sender, time.Now())
}

// ReleaseNetworkAnswer undoes the day's claim of an answer not sent.
func (s *Service) ReleaseNetworkAnswer(ctx context.Context, sender string) error {
	return store.ReleaseNetworkAnswer(ctx, s.DB, sender, time.Now())
}
