// Package demo ships a small customer-record data set so a newcomer can file
// a report against a demo domain right away.
package demo

import _ "embed"

// Customers is the demo customer-records document (YAML).
//
//go:embed customers.yaml
var Customers []byte
