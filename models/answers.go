package models

import "time"

// AnswerKind says whose answer an AnswerDelivery carries.
type AnswerKind string

// Answer kinds.
const (
	AnswerOperator AnswerKind = "operator" // an OperatorReply, signalled as operator-response
	AnswerReporter AnswerKind = "reporter" // a ReporterReply, signalled as reporter-answer
)

// DeliveryState is where an answer is on its way to the case workflow.
type DeliveryState string

// Delivery states.
const (
	// DeliveryPending: recorded, the workflow has not (knowingly) heard it.
	DeliveryPending DeliveryState = "pending"
	// DeliveryDelivered: the signal was accepted by Temporal.
	DeliveryDelivered DeliveryState = "delivered"
	// DeliveryStale: never delivered because the case moved on without it
	// (closed, or decided again after the answer was recorded).
	DeliveryStale DeliveryState = "stale"
)

// AnswerDelivery is the outbox row of one answer to a case (issue 13,
// answers that can be lost): written in the same transaction as the reply
// row, marked delivered once the workflow's signal is accepted, and
// redelivered by the answer reconciler while it is pending. AnswerKey makes
// an answer once per question: "operator:<notice id>", or
// "reporter:<id of the question's notice>".
type AnswerDelivery struct {
	ID          uint          `gorm:"primaryKey"`
	AnswerKey   string        `gorm:"uniqueIndex;not null;size:200"`
	Kind        AnswerKind    `gorm:"not null;size:16"`
	CaseID      string        `gorm:"index;not null;size:64"`
	ReplyID     uint          `gorm:"not null"`
	State       DeliveryState `gorm:"index:idx_answer_delivery_state,priority:1;not null;size:16"`
	Attempts    int           `gorm:"not null;default:0"`
	LastError   string
	CreatedAt   time.Time `gorm:"index:idx_answer_delivery_state,priority:2;not null"`
	DeliveredAt *time.Time
}

// TableName is the answer outbox table.
func (AnswerDelivery) TableName() string { return "answer_deliveries" }
