package testenv

import "gopkg.in/yaml.v3"

func decodeYAML(b []byte, v any) error { return yaml.Unmarshal(b, v) }
