package models

import "time"

// Referral is one referral of a case to a law-enforcement or judicial
// authority of a member state under DSA Art. 18 (a suspicion of a
// criminal offence involving a threat to someone's life or safety). Its
// Referral workflow (workflows.ReferralWorkflow) records it, sends the
// authority one notice (NoticeID) and records when (SentAt). One per case
// and member state.
type Referral struct {
	ID          uint   `gorm:"primaryKey"`
	CaseID      string `gorm:"size:64;not null;uniqueIndex:idx_referral_case_state,priority:1"`
	MemberState string `gorm:"size:2;not null;uniqueIndex:idx_referral_case_state,priority:2"`
	// Authority is the contact configured for the member state
	// (threat_authorities) when the referral was made.
	Authority string `gorm:"size:320;not null"`
	// Suspicion is the analyst's: why the information gives rise to a
	// suspicion of a criminal offence threatening life or safety.
	Suspicion   string `gorm:"size:5000"`
	Urgent      bool
	By          string    `gorm:"size:200"`
	RequestedAt time.Time `gorm:"index"`
	SentAt      *time.Time
	NoticeID    string `gorm:"size:64"`
	CreatedAt   time.Time
}
