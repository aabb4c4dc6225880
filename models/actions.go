package models

import "time"

// Block is a hosted object whose access is disabled (the edge answers 451).
// Removed marks a permanent removal.
type Block struct {
	ObjectID  string `gorm:"primaryKey"`
	Domain    string `gorm:"index"`
	URLPrefix string
	CaseID    string
	NoticeID  string
	Reason    string
	Removed   bool
	CreatedAt time.Time
}

// Strike is one upheld violation against an account. A reversed or restored
// decision withdraws it.
type Strike struct {
	ID               uint     `gorm:"primaryKey"`
	CaseID           string   `gorm:"uniqueIndex:idx_strike_case,priority:1"`
	AccountID        string   `gorm:"uniqueIndex:idx_strike_case,priority:2;index:idx_strike_acct,priority:1"`
	Category         Category `gorm:"index:idx_strike_acct,priority:2"`
	Clause           string
	NoMeaningfulStep bool
	CreatedAt        time.Time `gorm:"index:idx_strike_acct,priority:3"`
	WithdrawnAt      *time.Time
}

// Decision is an analyst decision as recorded in the read model.
type Decision struct {
	ID        uint   `gorm:"primaryKey"`
	CaseID    string `gorm:"uniqueIndex:idx_decision_step,priority:1"`
	Step      string `gorm:"uniqueIndex:idx_decision_step,priority:2"`
	Verdict   string
	Clause    string
	Reason    string
	Analyst   string
	CreatedAt time.Time
}

// OperatorReply is an operator's (or registrant's) answer through a notice
// link, with the counter-notice elements when there are any.
type OperatorReply struct {
	ID                  uint   `gorm:"primaryKey"`
	NoticeID            string `gorm:"uniqueIndex"`
	CaseID              string `gorm:"index"`
	Response            string
	Statement           string
	MaterialIdentified  string
	UnderPenalty        bool
	ConsentJurisdiction bool
	Name                string
	Address             string
	Phone               string
	Signature           string
	CreatedAt           time.Time
}

// ReporterReply is a reporter's answer to a need_info question.
type ReporterReply struct {
	ID        uint   `gorm:"primaryKey"`
	CaseID    string `gorm:"index"`
	Answer    string
	CreatedAt time.Time
}

// Review is the read model of a termination review.
type Review struct {
	ID            string `gorm:"primaryKey"` // the review's workflow ID
	AccountID     string `gorm:"index"`
	Kind          string
	Status        string `gorm:"index"`
	TriggerCaseID string
	Verdict       string
	Reason        string
	Analyst       string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Termination is one terminated service of an account, counted in the
// transparency report.
type Termination struct {
	ID         uint   `gorm:"primaryKey"`
	ReviewID   string `gorm:"uniqueIndex"`
	AccountID  string `gorm:"index"`
	Kind       string
	Service    string
	Reason     string
	LegalBasis string
	Analyst    string
	CreatedAt  time.Time `gorm:"index"`
}

// ClearinghouseReport is the child-safety clearinghouse report of a CSAM
// case (docs/DESIGN.md step 7). State is one of the ClearinghouseState
// values; Reference is the clearinghouse's report id once filed (ReportID,
// kept under its first name too) and Filed says it was. PreserveUntil is
// when the preservation of the reported material ends (one year after the
// report was filed, 18 U.S.C. 2258A(h)); nil: not filed yet, kept.
type ClearinghouseReport struct {
	CaseID    string `gorm:"primaryKey"`
	Reference string
	Filed     bool
	CreatedAt time.Time
	// ReportID is the clearinghouse's report id (the last one opened while
	// submitting; the filed one once finished).
	ReportID string
	State    ClearinghouseState `gorm:"index"`
	FiledAt  *time.Time
	// FiledBy is the analyst who recorded a report filed by hand; empty
	// when abusedesk filed it through the API.
	FiledBy string
	// ByHand: no clearinghouse API was configured when the report was
	// prepared, so an analyst files it and records its report id.
	ByHand bool
	// FilesUploaded counts the files of ReportID uploaded and described.
	FilesUploaded int
	// Error is the last failure of a submission (the service's code and
	// description), empty once filed.
	Error         string
	PreserveUntil *time.Time `gorm:"index"`
	UpdatedAt     time.Time
}

// ClearinghouseState is where a clearinghouse report stands.
type ClearinghouseState string

// Clearinghouse report states: prepared (waiting to be submitted, or for an
// analyst to file it by hand when no clearinghouse API is configured),
// submitted (the report document was taken), files_uploaded, finished
// (filed), retracted (a report not finished was withdrawn after a failure;
// a new one is submitted), failed (the last attempt failed; it is retried).
const (
	ClearinghousePrepared      ClearinghouseState = "prepared"
	ClearinghouseSubmitted     ClearinghouseState = "submitted"
	ClearinghouseFilesUploaded ClearinghouseState = "files_uploaded"
	ClearinghouseFinished      ClearinghouseState = "finished"
	ClearinghouseRetracted     ClearinghouseState = "retracted"
	ClearinghouseFailed        ClearinghouseState = "failed"
)

// ClearinghousePreservation is how long the reported material is kept
// after the report is filed (18 U.S.C. 2258A(h), as extended by the REPORT
// Act of 2024: one year).
const ClearinghousePreservation = 365 * 24 * time.Hour

// ReviewState is where a termination review stands (Review.Status).
type ReviewState string

// Review states.
const (
	ReviewGathering       ReviewState = "gathering"
	ReviewAwaitingAnalyst ReviewState = "awaiting_analyst"
	ReviewClosed          ReviewState = "closed"
)

// ResponseKind is an operator's or registrant's answer through a notice
// link (OperatorReply.Response).
type ResponseKind string

// Answers to a notice. A registrant's corrected WHOIS data is recorded as
// ResponseCorrected and reaches the workflow as "removed".
const (
	ResponseRemoved       ResponseKind = "removed"
	ResponseDispute       ResponseKind = "dispute"
	ResponseCounterNotice ResponseKind = "counter_notice"
	ResponseCorrected     ResponseKind = "corrected"
)
