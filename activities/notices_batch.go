package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// maxNoticeBatch bounds the notices of one SendNotices call: a batch is one
// case's round of notices, and its rows go into one INSERT.
const maxNoticeBatch = 50

// SendNotices renders, stores and delivers several notices of one case, as
// SendNotice does each, for a fraction of the database work: one query
// finds the notices already stored for the batch's steps, the case and
// what several notices share (recipients, URL lists, networks) are read
// once, and the new rows are inserted and journalled in one transaction
// (one audit head lock). Each notice is idempotent per step exactly as with
// SendNotice, so a retried batch, or SendNotice after a failed batch, sends
// nothing twice. Deliveries follow in the batch's order; the first that
// fails fails the call, leaving every row stored. A batch with a Close
// then writes the case's closing status (SetStatus, idempotent too): in
// the notices' own transaction, with their audit entries, when there is no
// relay (the notices stay in the outbox, so nothing follows their store),
// else once every delivery is done.
func (a *Activities) SendNotices(ctx context.Context, in NoticeBatch) (NoticeBatchResult, error) {
	return a.sendNotices(ctx, in, a.newNoticeLookups(ctx))
}

// sendNotices is SendNotices with the lookups it renders with (some of
// them read already: ClassifyForward).
func (a *Activities) sendNotices(ctx context.Context, in NoticeBatch, look *noticeLookups) (NoticeBatchResult, error) {
	notices, err := checkNoticeBatch(in)
	if err != nil {
		return NoticeBatchResult{}, err
	}
	out := NoticeBatchResult{Results: make([]NoticeResult, len(notices))}
	if len(notices) == 0 {
		return a.closeBatch(ctx, in, out)
	}
	steps := make([]string, len(notices))
	for i, n := range notices {
		steps[i] = n.Step
	}
	var rows []models.Notice
	if err := a.DB.WithContext(ctx).Where("case_id = ? AND step IN ?", in.CaseID, steps).Find(&rows).Error; err != nil {
		return NoticeBatchResult{}, fmt.Errorf("notices of case %s: %w", in.CaseID, err)
	}
	stored := make(map[string]models.Notice, len(notices))
	for _, n := range rows {
		stored[n.Step] = n
	}
	fresh, err := a.buildMissing(look, in.CaseID, notices, stored)
	if err != nil {
		return NoticeBatchResult{}, err
	}
	var closing *StatusInput
	if a.Mail == nil && len(fresh) > 0 {
		closing, in.Close = in.Close, nil
	}
	if err := a.storeNoticesClosing(ctx, fresh, closing); err != nil {
		return NoticeBatchResult{}, err
	}
	out.Closed = closing != nil
	for _, n := range fresh {
		stored[n.Step] = n
	}
	for i, ni := range notices {
		n, ok := stored[ni.Step]
		if !ok {
			out.Results[i] = NoticeResult{Skipped: true}
			continue
		}
		if out.Results[i], err = a.finishNotice(ctx, n); err != nil {
			return NoticeBatchResult{}, err
		}
	}
	return a.closeBatch(ctx, in, out)
}

// closeBatch writes the batch's Close, if any, once its notices are out.
func (a *Activities) closeBatch(ctx context.Context, in NoticeBatch, out NoticeBatchResult) (NoticeBatchResult, error) {
	if in.Close == nil {
		return out, nil
	}
	if err := a.SetStatus(ctx, *in.Close); err != nil {
		return NoticeBatchResult{}, err
	}
	out.Closed = true
	return out, nil
}

// checkNoticeBatch returns the batch's notices, each with the batch's case;
// a batch with a notice of another case, a missing or repeated step or too
// many notices is an InvalidNotice (never retried).
func checkNoticeBatch(in NoticeBatch) ([]NoticeInput, error) {
	invalid := func(format string, args ...any) error {
		msg := fmt.Sprintf("notice batch of case %s: ", in.CaseID) + fmt.Sprintf(format, args...)
		return temporal.NewNonRetryableApplicationError(msg, ErrTypeInvalidNotice, nil)
	}
	if in.CaseID == "" {
		return nil, invalid("no case")
	}
	if len(in.Notices) > maxNoticeBatch {
		return nil, invalid("%d notices, at most %d", len(in.Notices), maxNoticeBatch)
	}
	if in.Close != nil && in.Close.CaseID != in.CaseID {
		return nil, invalid("its close is of case %s", in.Close.CaseID)
	}
	// A copy: the caller's inputs stay as they were.
	notices := make([]NoticeInput, len(in.Notices))
	seen := make(map[string]bool, len(in.Notices))
	for i, n := range in.Notices {
		switch {
		case n.CaseID != "" && n.CaseID != in.CaseID:
			return nil, invalid("notice %d (step %q) is of case %s", i+1, n.Step, n.CaseID)
		case n.Step == "":
			return nil, invalid("notice %d has no step", i+1)
		case seen[n.Step]:
			return nil, invalid("step %q twice", n.Step)
		}
		seen[n.Step] = true
		n.CaseID = in.CaseID
		notices[i] = n
	}
	return notices, nil
}

// buildMissing builds the notices that have no row yet, reading the case
// once and sharing lookups between them; a notice without a known
// recipient is left out (skipped).
func (a *Activities) buildMissing(look *noticeLookups, caseID string, notices []NoticeInput, stored map[string]models.Notice) ([]models.Notice, error) {
	if len(stored) == len(notices) {
		return nil, nil
	}
	c, err := look.caseRow(caseID)
	if err != nil {
		return nil, err
	}
	var fresh []models.Notice
	for _, in := range notices {
		if _, ok := stored[in.Step]; ok {
			continue
		}
		n, err := a.buildNotice(look, c, in)
		if err != nil {
			return nil, err
		}
		if n.ID != "" {
			fresh = append(fresh, n)
		}
	}
	return fresh, nil
}

// noticeLookups reads, for one SendNotice or SendNotices call, what
// rendering its notices needs, each thing once: the notices of a batch
// share their recipients, URL lists, customer domains, networks and host
// sources.
type noticeLookups struct {
	a   *Activities
	ctx context.Context
	db  *gorm.DB

	recipients  map[recipientKey]string
	domains     map[string]models.Domain
	urls        map[string]urlList
	networkList []models.Network
	hosts       []HostSource
	// haveNetworks and haveHosts: networkList and hosts are read (either
	// may be empty).
	haveNetworks, haveHosts bool
	// caseRows are the case's first URLs with their hosts, read once
	// (haveRows) for every URL list and the host list of the call; whole
	// says they are all of them (at most maxURLsInNotice), else the lists
	// are read one by one as loadURLs and caseHosts do.
	caseRows        []models.CaseURL
	haveRows, whole bool
	// theCase is the case, when read before (preload).
	theCase *models.Case
}

// recipientKey is what a notice's recipient depends on besides the case.
type recipientKey struct {
	role            models.RecipientRole
	domain, account string
}

// urlList is a case's URLs under one domain ("" for all) and their count.
type urlList struct {
	urls  []string
	count int
}

func (a *Activities) newNoticeLookups(ctx context.Context) *noticeLookups {
	return &noticeLookups{a: a, ctx: ctx, db: a.DB.WithContext(ctx), recipients: map[recipientKey]string{},
		domains: map[string]models.Domain{}, urls: map[string]urlList{}}
}

// caseRow reads the case; a case that is gone renders as an empty one (its
// reporter notices then have no recipient).
func (l *noticeLookups) caseRow(id string) (models.Case, error) {
	if l.theCase != nil && l.theCase.ID == id {
		return *l.theCase, nil
	}
	var c models.Case
	if err := l.db.First(&c, "id = ?", id).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Case{}, err
	}
	return c, nil
}

// recipient finds the address of a notice's recipient (findRecipient);
// "" means none known.
func (l *noticeLookups) recipient(c models.Case, in NoticeInput) (string, error) {
	k := recipientKey{role: in.Role, domain: in.Domain, account: in.AccountID}
	if to, ok := l.recipients[k]; ok {
		return to, nil
	}
	to, err := l.findRecipient(c, in)
	if err != nil {
		return "", err
	}
	l.recipients[k] = to
	return to, nil
}

// domain reads a customer domain by name.
func (l *noticeLookups) domain(name string) (models.Domain, error) {
	if d, ok := l.domains[name]; ok {
		return d, nil
	}
	var d models.Domain
	if err := l.db.First(&d, "name = ?", name).Error; err != nil {
		return models.Domain{}, err
	}
	l.domains[name] = d
	return d, nil
}

// networks reads the customer networks.
func (l *noticeLookups) networks() ([]models.Network, error) {
	if !l.haveNetworks {
		if err := l.db.Find(&l.networkList).Error; err != nil {
			return nil, err
		}
		l.haveNetworks = true
	}
	return l.networkList, nil
}

// caseURLs reads the case's URLs under domain ("" for all) as loadURLs
// does, and their count: from the case's URLs read once (rows) when they
// are few enough to be all there.
func (l *noticeLookups) caseURLs(caseID, domain string) ([]string, int, error) {
	// One call is about one case: the domain is the key.
	k := domain
	if u, ok := l.urls[k]; ok {
		return u.urls, u.count, nil
	}
	if err := l.rows(caseID); err != nil {
		return nil, 0, err
	}
	var list urlList
	if l.whole {
		for _, u := range l.caseRows {
			if domain == "" || u.Host == domain || strings.HasSuffix(u.Host, "."+domain) {
				list.urls = append(list.urls, u.URL)
			}
		}
		list.count = len(list.urls)
	} else {
		var data noticeData
		if err := l.a.loadURLs(l.db, &data, NoticeInput{CaseID: caseID, Domain: domain}); err != nil {
			return nil, 0, err
		}
		list = urlList{urls: data.URLs, count: data.URLCount}
	}
	l.urls[k] = list
	return list.urls, list.count, nil
}

// preload gives the lookups what the caller read already: the case, all
// its URLs in order and the customer networks.
func (l *noticeLookups) preload(c models.Case, urls []models.CaseURL, networks []models.Network) {
	l.theCase = &c
	l.caseRows, l.whole, l.haveRows = urls[:min(len(urls), maxURLsInNotice+1)], len(urls) <= maxURLsInNotice, true
	l.networkList, l.haveNetworks = networks, true
}

// rows reads the case's first maxURLsInNotice+1 URLs and their hosts, once.
func (l *noticeLookups) rows(caseID string) error {
	if l.haveRows {
		return nil
	}
	var rows []models.CaseURL
	if err := l.db.Select("url", "host").Where("case_id = ?", caseID).Order("seq").
		Limit(maxURLsInNotice + 1).Find(&rows).Error; err != nil {
		return err
	}
	l.caseRows, l.whole, l.haveRows = rows, len(rows) <= maxURLsInNotice, true
	return nil
}

// hostSources finds where each website's hosting provider was found
// (Activities.hostSources).
func (l *noticeLookups) hostSources(caseID string) ([]HostSource, error) {
	if l.haveHosts {
		return l.hosts, nil
	}
	if err := l.rows(caseID); err != nil {
		return nil, err
	}
	var hosts []string
	if l.whole {
		for _, u := range l.caseRows {
			hosts = append(hosts, u.Host)
		}
		slices.Sort(hosts)
		hosts = slices.Compact(hosts)
		if len(hosts) > 4*maxHostSources+1 {
			hosts = hosts[:4*maxHostSources+1]
		}
	} else {
		var err error
		if hosts, err = caseHosts(l.db, caseID); err != nil {
			return nil, err
		}
	}
	out, err := l.a.hostSources(l.ctx, hosts, l.networks)
	if err != nil {
		return nil, err
	}
	l.hosts, l.haveHosts = out, true
	return out, nil
}
