package store

import (
	"time"

	"gorm.io/gorm"
)

// erasureV12 is the table activities.PersonalDataErasure defines: one row
// per case whose personal data the purge erased. A copy of its schema, so
// that store does not depend on the activities; TestMigrationsMatchModels
// keeps the two identical.
type erasureV12 struct {
	CaseID       string    `gorm:"primaryKey"`
	ErasedAt     time.Time `gorm:"not null"`
	ClosedBefore time.Time `gorm:"not null"`
}

func (erasureV12) TableName() string { return "personal_data_erasures" }

// migrateErasures creates the purge's table of erased cases. Before
// version 12 it was created by an AutoMigrate at every start, so on such a
// database it finds the table and changes nothing.
func migrateErasures(tx *gorm.DB) error {
	return tx.AutoMigrate(&erasureV12{})
}
