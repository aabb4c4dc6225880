// Package codec encrypts every payload abusedesk hands to Temporal, so that
// Temporal's own store (histories, memos, failure details) holds no personal
// data in clear, and serves the codec endpoint through which the Web UI and
// the CLI read those histories back.
//
// Payloads are sealed with AES-256-GCM under the first key of a KeyRing; the
// key id travels in each payload's metadata, so any key still in the ring
// decrypts histories written before a rotation. A payload whose key is
// missing, or whose ciphertext does not authenticate, is an error that names
// the key id: never garbage.
package codec

import (
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata of an encrypted payload. The encoding value is the one Temporal's
// samples and tooling use for encrypted payloads, so the Web UI shows such a
// payload as encoded rather than trying to parse it as JSON.
const (
	// EncodingEncrypted is the "encoding" metadata value of a payload this
	// codec encrypted; Decode leaves any other payload alone.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID is the metadata key naming the ring key that encrypted
	// the payload.
	MetadataKeyID = "encryption-key-id"
)

var (
	// ErrUnknownKeyID means a payload names a key that is not in the ring:
	// the key was removed too early or the ring is the wrong one.
	ErrUnknownKeyID = errors.New("codec: unknown key id")
	// ErrDecryptFailed means the ring has a key with the payload's id but the
	// ciphertext does not authenticate under it: a different key reusing the
	// id, or a damaged or tampered payload.
	ErrDecryptFailed = errors.New("codec: decrypt failed")
)

var errNoKeyRing = errors.New("codec: no key ring configured")

// Codec is the converter.PayloadCodec that encrypts with the active key of a
// KeyRing and decrypts with any of its keys. It is safe for concurrent use.
type Codec struct {
	ring *KeyRing
}

var _ converter.PayloadCodec = (*Codec)(nil)

// NewCodec returns the codec for a key ring.
func NewCodec(r *KeyRing) *Codec { return &Codec{ring: r} }

// Encode encrypts each payload whole (metadata and data, proto-marshalled)
// under the ring's active key. The result carries only the encoding and the
// key id in clear.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c == nil || c.ring == nil {
		return nil, errNoKeyRing
	}
	id := c.ring.ActiveKeyID()
	aead, err := c.ring.keyFor(id)
	if err != nil {
		return nil, err
	}
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("codec: marshal payload: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(id),
			},
			// The key id is the additional data: relabelling a payload
			// with another id makes it fail to authenticate.
			Data: aead.Seal(nil, nil, plain, []byte(id)),
		}
	}
	return out, nil
}

// Decode decrypts the payloads this codec encrypted and passes every other
// payload through unchanged, as converter.PayloadCodec requires. A payload
// whose key is not in the ring fails with ErrUnknownKeyID, one that does not
// authenticate with ErrDecryptFailed; both name the key id.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		if c == nil || c.ring == nil {
			return nil, errNoKeyRing
		}
		orig, err := c.decrypt(p)
		if err != nil {
			return nil, err
		}
		out[i] = orig
	}
	return out, nil
}

func (c *Codec) decrypt(p *commonpb.Payload) (*commonpb.Payload, error) {
	id := string(p.GetMetadata()[MetadataKeyID])
	if id == "" {
		return nil, fmt.Errorf("codec: encrypted payload has no %q metadata", MetadataKeyID)
	}
	aead, err := c.ring.keyFor(id)
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, nil, p.GetData(), []byte(id))
	if err != nil {
		return nil, fmt.Errorf("%w for key id %q", ErrDecryptFailed, id)
	}
	orig := &commonpb.Payload{}
	if err := proto.Unmarshal(plain, orig); err != nil {
		return nil, fmt.Errorf("codec: decrypted payload for key id %q is not a payload: %w", id, err)
	}
	return orig, nil
}

// DataConverter returns Temporal's default data converter wrapped with the
// ring's codec. Give the same converter to the client, the worker and any
// replayer (client.Options.DataConverter,
// worker.WorkflowReplayerOptions.DataConverter), or they cannot read each
// other's payloads.
//
// It is strict: it refuses to decode any payload that the ring did not
// encrypt (ErrNotEncrypted) or that does not authenticate, so a workflow
// input, update argument or activity result written by a client without
// the ring is an error, never data. Only the codec endpoint and the
// auditors' history views (Codec) pass unencrypted payloads through, for
// display. Signals need SignalGuard too: the SDK hands a workflow the zero
// value of a signal it cannot decode.
func DataConverter(r *KeyRing) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), strictCodec{NewCodec(r)})
}

// DisplayConverter reads payloads for people, never for a workflow: it
// decrypts what the ring encrypted and passes unencrypted payloads through
// (a history the server already decoded for an auditor, or one written
// before encryption). The console's timeline uses it; workers and clients
// use the strict DataConverter.
func DisplayConverter(r *KeyRing) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), NewCodec(r))
}

// FailureConverter returns a failure converter that moves each failure's
// message and stack trace into an encrypted payload
// (EncodeCommonAttributes).
//
// abusedesk uses it, with DataConverter, on the client and the worker
// (client.Options.FailureConverter): error texts from SMTP servers,
// databases and WHOIS often quote an address or a URL, and without it they
// would sit in the history in clear. The cost is that tools without the
// codec endpoint show "Encoded failure" instead of the message; the Web UI
// configured with the endpoint decodes it.
func FailureConverter(r *KeyRing) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          DataConverter(r),
		EncodeCommonAttributes: true,
	})
}
