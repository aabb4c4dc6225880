package store

import (
	"time"

	"gorm.io/gorm"
)

// statementV13 is the table statements.Statement defines: the statements
// of reasons (DSA Art. 17). A copy of its schema, not the model itself,
// because statements imports store; TestMigrationsMatchModels keeps the two
// identical.
type statementV13 struct {
	ID           uint   `gorm:"primaryKey;index:idx_statements_submit,priority:2"`
	PUID         string `gorm:"column:puid;not null;uniqueIndex"`
	CaseID       string `gorm:"not null;index"`
	Kind         string `gorm:"not null"`
	DedupKey     string `gorm:"not null"`
	Body         string `gorm:"not null"`
	SubmitStatus string `gorm:"not null;index:idx_statements_submit,priority:1"`
	RemoteID     string
	SubmitError  string
	SubmittedAt  *time.Time
	CreatedAt    time.Time `gorm:"not null;index"`
	UpdatedAt    time.Time
}

func (statementV13) TableName() string { return "statements" }

// migrateStatements creates the table of statements of reasons. Before
// version 13 it was created by an AutoMigrate at every start, so on such a
// database it finds the table and changes nothing.
func migrateStatements(tx *gorm.DB) error {
	return tx.AutoMigrate(&statementV13{})
}
