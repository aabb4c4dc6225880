package desk

import (
	"context"
	"time"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// CaseFilter selects cases for the analyst's queue (store.CaseFilter).
type CaseFilter = store.CaseFilter

// ListCases lists cases in queue order with their notices (without
// bodies). The domain filter is normalised; one that is no host name is a
// KindBadRequest naming "domain" (dropping it would list every case).
func (d *Desk) ListCases(ctx context.Context, f CaseFilter) ([]CaseView, error) {
	if f.Category != "" && !models.Category(f.Category).Valid() {
		return nil, BadRequest("category", "unknown category %q", f.Category)
	}
	if f.Domain != "" {
		dom, err := store.NormalizeHost(f.Domain)
		if err != nil {
			return nil, BadRequest("domain", "%v", err)
		}
		f.Domain = dom
	}
	cases, err := store.QueryCases(ctx, d.DB, f)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cases))
	for i, cs := range cases {
		ids[i] = cs.ID
	}
	ns, err := store.NoticesOfCases(ctx, d.DB, ids)
	if err != nil {
		return nil, err
	}
	byCase := map[string][]models.Notice{}
	for _, n := range ns {
		byCase[n.CaseID] = append(byCase[n.CaseID], n)
	}
	out := make([]CaseView, 0, len(cases))
	for _, cs := range cases {
		out = append(out, caseView(cs, byCase[cs.ID]))
	}
	return out, d.withAssignees(ctx, out)
}

// QueryCases lists the cases' rows in queue order (ListCases without the
// notices); f.Domain must be normalised.
func (d *Desk) QueryCases(ctx context.Context, f CaseFilter) ([]models.Case, error) {
	return store.QueryCases(ctx, d.DB, f)
}

// maxMailRepliesShown bounds the replies by mail one case view lists.
const maxMailRepliesShown = 200

// LoadCase reads a case with everything the analyst sees; an open case's
// workflow is asked what it waits for.
func (d *Desk) LoadCase(ctx context.Context, id string) (CaseView, error) {
	cs, err := store.Case(ctx, d.DB, id)
	if err != nil {
		return CaseView{}, err
	}
	ns, err := store.Notices(ctx, d.DB, id)
	if err != nil {
		return CaseView{}, err
	}
	out := caseView(cs, ns)
	for i := range out.Notices {
		out.Notices[i].Body = ns[i].BodyText
	}
	out.Description = cs.Description
	one := []CaseView{out}
	if err := d.withAssignees(ctx, one); err != nil {
		return CaseView{}, err
	}
	out = one[0]
	out.Reporter = &models.Reporter{Name: cs.ReporterName, Email: cs.ReporterEmail, Organization: cs.ReporterOrg, Title: cs.ReporterTitle}
	det, err := store.LoadCaseDetail(ctx, d.DB, id)
	if err != nil {
		return CaseView{}, err
	}
	out.URLCount, out.URLs, out.Decisions, out.Blocks = det.URLCount, det.URLs, det.Decisions, det.Blocks
	if out.MailReplies, err = d.MailReplies(ctx, id); err != nil {
		return CaseView{}, err
	}
	if err := d.loadOperatorAnswers(ctx, &out); err != nil {
		return CaseView{}, err
	}
	if err := d.loadDelivery(ctx, &out); err != nil {
		return CaseView{}, err
	}
	if err := d.loadClearinghouse(ctx, &out); err != nil {
		return CaseView{}, err
	}
	if err := d.loadReferrals(ctx, &out); err != nil {
		return CaseView{}, err
	}
	if cs.Domain != "" {
		cu, ok, err := store.CustomerOf(ctx, d.DB, cs.Domain)
		if err != nil {
			return CaseView{}, err
		}
		if ok {
			out.Customer = &CustomerView{Account: cu.Account, Domain: cu.Domain, Hosted: cu.Hosted}
		}
	}
	if cs.Status != models.StatusClosed {
		if st, ok := d.caseStatus(ctx, id); ok {
			out.Awaiting, out.DeadlineFor, out.RestoreAt = st.Awaiting, st.DeadlineKind, st.RestoreAt
			if st.NextDeadline != nil {
				out.NextDeadline = st.NextDeadline
			}
		}
	}
	return out, nil
}

// caseStatus asks a case's workflow what it waits for, within five
// seconds; ok is false when it does not answer (the view then shows the
// read model only).
func (d *Desk) caseStatus(ctx context.Context, caseID string) (workflows.CaseStatus, bool) {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var st workflows.CaseStatus
	err := d.Engine.Query(qctx, workflows.CaseWorkflowID(caseID), workflows.QueryStatus, &st)
	return st, err == nil
}

// loadDelivery adds to a case what became of its notices (bounced,
// redirected) and the flags the bounces set.
func (d *Desk) loadDelivery(ctx context.Context, out *CaseView) error {
	ds, err := store.NoticeDeliveries(ctx, d.DB, out.CaseID)
	if err != nil {
		return err
	}
	byNotice := map[string]models.NoticeDelivery{}
	for _, nd := range ds {
		byNotice[nd.NoticeID] = nd
	}
	for i, n := range out.Notices {
		if nd, ok := byNotice[n.NoticeID]; ok {
			out.Notices[i].DeliveryState = models.DeliveryStateOf(models.Notice{Status: n.Status}, &nd)
			out.Notices[i].BounceReason, out.Notices[i].RedirectedTo = nd.BounceReason, nd.RedirectedTo
		}
	}
	flags, err := store.CaseFlags(ctx, d.DB, out.CaseID)
	if err != nil {
		return err
	}
	for _, f := range flags {
		switch f.Kind {
		case models.FlagNeedsAttention:
			out.NeedsAttention = f.Reason
		case models.FlagReporterUnreachable:
			out.ReporterUnreachable = true
		}
	}
	return nil
}

// NoticeDeliveries are what became of a case's notices after they were
// sent (bounced, redirected), for the console's timeline.
func (d *Desk) NoticeDeliveries(ctx context.Context, caseID string) ([]models.NoticeDelivery, error) {
	return store.NoticeDeliveries(ctx, d.DB, caseID)
}

// Outbox lists stored notices newest first with their deliverable bodies
// (live response links): the admin's view when no SMTP relay is set.
func (d *Desk) Outbox(ctx context.Context, caseID, status string, limit int) ([]OutboxNotice, error) {
	ns, err := store.Outbox(ctx, d.DB, caseID, status, limit)
	if err != nil {
		return nil, err
	}
	out := make([]OutboxNotice, 0, len(ns))
	for _, n := range ns {
		v := noticeView(n)
		v.Body = d.Links.Body(n)
		out = append(out, OutboxNotice{NoticeView: v, CaseID: n.CaseID})
	}
	return out, nil
}
