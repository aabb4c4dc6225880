package codec

import (
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// ErrNotEncrypted means a payload does not carry this codec's encryption
// metadata: it was written by a client without the key ring (a raw
// Temporal client, the CLI, the Web UI), never by abusedesk.
var ErrNotEncrypted = errors.New("codec: payload is not encrypted by the key ring")

// strictCodec is the codec of the worker and the client: unlike Codec, its
// Decode refuses every payload it did not encrypt. AES-GCM authenticates,
// so a payload it accepts was sealed by a holder of a ring key; the desk's
// workflows then act only on what the desk (or another holder) wrote.
type strictCodec struct{ *Codec }

// Decode decrypts every payload or fails: a payload without the encryption
// metadata fails with ErrNotEncrypted, one whose key is missing with
// ErrUnknownKeyID, one that does not authenticate with ErrDecryptFailed.
func (c strictCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c.Codec == nil || c.ring == nil {
		return nil, errNoKeyRing
	}
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if enc := string(p.GetMetadata()[converter.MetadataEncoding]); enc != EncodingEncrypted {
			return nil, fmt.Errorf("%w (payload %d has encoding %.40q)", ErrNotEncrypted, i, enc)
		}
		orig, err := c.decrypt(p)
		if err != nil {
			return nil, err
		}
		out[i] = orig
	}
	return out, nil
}

// Verify checks that every payload is sealed by a key of the ring and
// authenticates under it. It is the test the worker applies to a signal
// before the workflow sees it (see SignalGuard).
func Verify(r *KeyRing, payloads []*commonpb.Payload) error {
	_, err := strictCodec{NewCodec(r)}.Decode(payloads)
	return err
}
