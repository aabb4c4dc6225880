package server

import (
	"context"
	"time"

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/transparency"
)

// UseCases is what the handlers call: the use cases of package desk
// (*desk.Desk implements it). The handlers read requests and write
// answers; everything else happens behind this interface.
type UseCases interface {
	Health(ctx context.Context) (dbErr, engineErr error)
	PayloadKeys() *codec.KeyRing
	AuthBlocked(client string) (time.Duration, bool)
	AuthFailed(client string)
	SessionKey(ctx context.Context, secret string) (config.APIKey, bool, error)
	RevokeSessions(ctx context.Context, keyName, keyHash string) (int64, error)

	SubmitOnce(ctx context.Context, r models.ReportRequest, d intake.Dedup) (intake.Created, error)
	SubmitDocument(ctx context.Context, r models.ReportRequest, d intake.Dedup, format string, doc []byte) (intake.Created, error)
	ReporterCase(ctx context.Context, id, token string) (models.Case, error)
	ReporterView(ctx context.Context, cs models.Case) (desk.ReporterView, error)
	AnswerReporter(ctx context.Context, cs models.Case, answer string) (desk.AnswerResult, error)
	OperatorNotice(ctx context.Context, id, token string) (models.Notice, error)
	OperatorView(ctx context.Context, n models.Notice) (desk.OperatorView, error)
	Respond(ctx context.Context, noticeID, token string, req desk.ResponseRequest) (desk.AnswerResult, error)

	Blocklist(ctx context.Context) ([]desk.BlocklistEntry, error)
	EdgeDecide(ctx context.Context, r desk.EdgeRequest) (desk.EdgeAnswer, error)
	Blocked(ctx context.Context, id string) (desk.BlockedStatement, error)

	ListCases(ctx context.Context, f desk.CaseFilter) ([]desk.CaseView, error)
	LoadCase(ctx context.Context, id string) (desk.CaseView, error)
	Claim(ctx context.Context, caseID, analyst string, force bool) (desk.ClaimAnswer, error)
	Release(ctx context.Context, caseID, analyst string, force bool) (desk.ClaimAnswer, error)
	Summary(ctx context.Context) (desk.QueueSummary, error)
	BulkDecide(ctx context.Context, req desk.BulkDecision, analyst string) ([]desk.BulkResult, error)
	DecideAndWait(ctx context.Context, caseID string, req desk.DecisionRequest, analyst string) (desk.DecisionAnswer, error)
	CourtAction(ctx context.Context, caseID, analyst, reference string) (desk.CourtActionAnswer, error)
	CaseMitigations(ctx context.Context, caseID string) ([]desk.MitigationView, error)
	PlaceMitigation(ctx context.Context, caseID string, req desk.PlaceMitigationRequest, analyst string) ([]desk.MitigationView, error)
	MitigationsInReview(ctx context.Context) ([]desk.MitigationView, error)
	ReviewMitigation(ctx context.Context, id string, req desk.MitigationReviewRequest, analyst string) (desk.MitigationView, error)
	CancelMitigation(ctx context.Context, id string, req desk.MitigationCancelRequest, analyst string) (desk.MitigationView, error)
	AcceptMailReply(ctx context.Context, caseID, replyID, analyst string) (desk.AnswerResult, error)
	Reviews(ctx context.Context, status string) ([]desk.ReviewView, error)
	DecideReview(ctx context.Context, accountID, kind, service string, req desk.DecisionRequest, analyst string) (desk.ReviewAnswer, error)
	SetLegalHold(ctx context.Context, caseID, analyst string, hold bool) (desk.LegalHoldAnswer, error)
	FileClearinghouseByHand(ctx context.Context, caseID, analyst string, req desk.ClearinghouseFiledRequest) (desk.ClearinghouseView, error)

	CaseHistory(ctx context.Context, caseID string) ([]byte, error)
	CaseHistoryEncoded(ctx context.Context, caseID string) ([]byte, error)
	AuditCheckpoint(ctx context.Context) ([]byte, error)
	AuditEntries(ctx context.Context, caseID string) ([]audit.Entry, error)
	InclusionProof(ctx context.Context, index, size string) (audit.InclusionResult, error)
	ConsistencyProof(ctx context.Context, from, to string) (audit.ConsistencyResult, error)
	Statements(ctx context.Context, from, to time.Time, page int) (desk.StatementPage, error)
	Transparency(ctx context.Context, from, to time.Time) (*transparency.Report, error)
	PublicTransparency(ctx context.Context, from, to time.Time) (*transparency.Report, error)

	LoadCustomers(ctx context.Context, actor string, doc *desk.CustomerDoc) (desk.CustomerLoad, error)
	Outbox(ctx context.Context, caseID, status string, limit int) ([]desk.OutboxNotice, error)
	Senders(ctx context.Context, limit int) ([]desk.SenderView, error)
}

var _ UseCases = (*desk.Desk)(nil)
