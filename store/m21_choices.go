package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateChoices adds to cases the reporter's notification choice per
// recipient (README "The reporter's choices"; models.Notification) and
// fills them for the cases made before: the operator was sent the
// complaint when forward_to_operator was set (a CSAM case never), the
// hosting provider always, the clearinghouse of a CSAM case always. A
// database made after the fields were added to models.Case has the
// columns from version 1, so each is added only when missing.
func migrateChoices(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, field := range []string{"OwnerNotification", "HostNotification", "NcmecNotification"} {
		if m.HasColumn(&models.Case{}, field) {
			continue
		}
		if err := m.AddColumn(&models.Case{}, field); err != nil {
			return err
		}
	}
	for _, q := range []string{
		`UPDATE cases SET owner_notification = CASE WHEN category = 'csam' THEN 'none' WHEN forward_to_operator THEN 'send' ELSE 'none' END
WHERE owner_notification IS NULL OR owner_notification = ''`,
		`UPDATE cases SET host_notification = 'send' WHERE host_notification IS NULL OR host_notification = ''`,
		`UPDATE cases SET ncmec_notification = 'send' WHERE category = 'csam' AND (ncmec_notification IS NULL OR ncmec_notification = '')`,
	} {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}
