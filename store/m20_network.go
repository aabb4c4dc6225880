package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateNetwork adds to cases how their category was chosen
// (category_by, shown to the analyst) and creates the record of the
// "not our network" answers, one per sender and UTC day (network.go;
// docs/DESIGN.md step 1, reports about IP addresses).
func migrateNetwork(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&models.Case{}, "CategoryBy") {
		if err := m.AddColumn(&models.Case{}, "CategoryBy"); err != nil {
			return err
		}
	}
	return m.CreateTable(&NetworkAnswer{})
}
