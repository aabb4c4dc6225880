package store

import (
	"time"

	"gorm.io/gorm"
)

// caseAssignment is the claim columns of cases (issue 15). They are kept
// out of models.Case on purpose: code that saves a whole case row (Save)
// would otherwise write back a stale assignee over a claim made meanwhile.
type caseAssignment struct {
	Assignee   *string `gorm:"size:200;index:idx_cases_assignee"`
	AssignedAt *time.Time
}

func (caseAssignment) TableName() string { return "cases" }

// migrateAssignee adds cases.assignee and assigned_at and the index the
// queue's "mine" and "unassigned" filters read.
func migrateAssignee(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, field := range []string{"Assignee", "AssignedAt"} {
		if m.HasColumn(&caseAssignment{}, field) {
			continue
		}
		if err := m.AddColumn(&caseAssignment{}, field); err != nil {
			return err
		}
	}
	if m.HasIndex(&caseAssignment{}, "idx_cases_assignee") {
		return nil
	}
	return m.CreateIndex(&caseAssignment{}, "idx_cases_assignee")
}
