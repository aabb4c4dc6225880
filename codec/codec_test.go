package codec

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const email = "alice.abuser@example.org"

type notice struct {
	Recipient string
	URLs      []string
}

func plainPayloads(t *testing.T) []*commonpb.Payload {
	t.Helper()
	dc := converter.GetDefaultDataConverter()
	a, err := dc.ToPayload(notice{Recipient: email, URLs: []string{"http://example.org/phish"}})
	require.NoError(t, err)
	b, err := dc.ToPayload([]byte("raw bytes"))
	require.NoError(t, err)
	return []*commonpb.Payload{a, b}
}

func TestCodecRoundTrip(t *testing.T) {
	c := NewCodec(testRing(t, "k1:"+testKey(1)))
	in := plainPayloads(t)

	enc, err := c.Encode(in)
	require.NoError(t, err)
	require.Len(t, enc, len(in))
	for _, p := range enc {
		require.Equal(t, EncodingEncrypted, string(p.Metadata[converter.MetadataEncoding]))
		require.Equal(t, "k1", string(p.Metadata[MetadataKeyID]))
		require.Len(t, p.Metadata, 2, "only encoding and key id are in clear")
	}

	dec, err := c.Decode(enc)
	require.NoError(t, err)
	require.Len(t, dec, len(in))
	for i := range in {
		require.True(t, proto.Equal(in[i], dec[i]), "payload %d", i)
	}
}

func TestCiphertextHidesPlaintext(t *testing.T) {
	c := NewCodec(testRing(t, "k1:"+testKey(1)))
	in := plainPayloads(t)
	require.True(t, bytes.Contains(in[0].Data, []byte(email)))

	enc, err := c.Encode(in)
	require.NoError(t, err)
	wire, err := proto.Marshal(&commonpb.Payloads{Payloads: enc})
	require.NoError(t, err)
	require.False(t, bytes.Contains(wire, []byte(email)))
	require.False(t, bytes.Contains(wire, []byte("json/plain")), "original metadata is sealed too")

	again, err := c.Encode(in)
	require.NoError(t, err)
	require.NotEqual(t, enc[0].Data, again[0].Data, "a fresh nonce every time")
}

func TestDecodePassesThroughUnencrypted(t *testing.T) {
	c := NewCodec(testRing(t, "k1:"+testKey(1)))
	in := plainPayloads(t)
	out, err := c.Decode(in)
	require.NoError(t, err)
	require.Same(t, in[0], out[0])
	require.Same(t, in[1], out[1])

	// Even a codec without a ring passes through what it cannot have encoded.
	out, err = (&Codec{}).Decode(in)
	require.NoError(t, err)
	require.Same(t, in[0], out[0])
}

func TestKeyRotation(t *testing.T) {
	k1 := "k1:" + testKey(1)
	k2 := "k2:" + testKey(2)
	in := plainPayloads(t)

	old, err := NewCodec(testRing(t, k1)).Encode(in)
	require.NoError(t, err)

	rotated := NewCodec(testRing(t, k2, k1))
	dec, err := rotated.Decode(old)
	require.NoError(t, err)
	require.True(t, proto.Equal(in[0], dec[0]), "old histories stay readable")

	fresh, err := rotated.Encode(in)
	require.NoError(t, err)
	require.Equal(t, "k2", string(fresh[0].Metadata[MetadataKeyID]))

	// Once k1 is dropped, k1 histories fail clearly and k2 ones still read.
	onlyK2 := NewCodec(testRing(t, k2))
	_, err = onlyK2.Decode(fresh)
	require.NoError(t, err)
	_, err = onlyK2.Decode(old)
	require.ErrorIs(t, err, ErrUnknownKeyID)
	require.EqualError(t, err, `codec: unknown key id "k1"`)
}

func TestDecodeWrongKeyOrTamperedFails(t *testing.T) {
	in := plainPayloads(t)
	enc, err := NewCodec(testRing(t, "k1:"+testKey(1))).Encode(in)
	require.NoError(t, err)

	// Same id, different key: the ring was regenerated, not rotated.
	_, err = NewCodec(testRing(t, "k1:"+testKey(9))).Decode(enc)
	require.ErrorIs(t, err, ErrDecryptFailed)
	require.EqualError(t, err, `codec: decrypt failed for key id "k1"`)

	c := NewCodec(testRing(t, "k1:"+testKey(1), "k2:"+testKey(2)))
	tampered := proto.Clone(enc[0]).(*commonpb.Payload)
	tampered.Data[len(tampered.Data)/2] ^= 0x01
	_, err = c.Decode([]*commonpb.Payload{tampered})
	require.EqualError(t, err, `codec: decrypt failed for key id "k1"`)

	relabelled := proto.Clone(enc[0]).(*commonpb.Payload)
	relabelled.Metadata[MetadataKeyID] = []byte("k2")
	_, err = c.Decode([]*commonpb.Payload{relabelled})
	require.EqualError(t, err, `codec: decrypt failed for key id "k2"`)

	truncated := proto.Clone(enc[0]).(*commonpb.Payload)
	truncated.Data = truncated.Data[:5]
	_, err = c.Decode([]*commonpb.Payload{truncated})
	require.ErrorIs(t, err, ErrDecryptFailed)

	noID := proto.Clone(enc[0]).(*commonpb.Payload)
	delete(noID.Metadata, MetadataKeyID)
	_, err = c.Decode([]*commonpb.Payload{noID})
	require.ErrorContains(t, err, `no "encryption-key-id" metadata`)
}

func TestCodecWithoutRing(t *testing.T) {
	_, err := (&Codec{}).Encode(plainPayloads(t))
	require.Error(t, err)
	enc, err := NewCodec(testRing(t, "k1:"+testKey(1))).Encode(plainPayloads(t))
	require.NoError(t, err)
	_, err = (&Codec{}).Decode(enc)
	require.Error(t, err)
	require.False(t, errors.Is(err, ErrDecryptFailed))
}

func TestDataConverter(t *testing.T) {
	dc := DataConverter(testRing(t, "k1:"+testKey(1)))
	p, err := dc.ToPayload(notice{Recipient: email})
	require.NoError(t, err)
	require.Equal(t, EncodingEncrypted, string(p.Metadata[converter.MetadataEncoding]))
	require.False(t, bytes.Contains(p.Data, []byte(email)))

	var got notice
	require.NoError(t, dc.FromPayload(p, &got))
	require.Equal(t, email, got.Recipient)

	other := DataConverter(testRing(t, "k9:"+testKey(9)))
	err = other.FromPayload(p, &got)
	require.ErrorIs(t, err, ErrUnknownKeyID)
}

func TestFailureConverterEncryptsMessages(t *testing.T) {
	ring := testRing(t, "k1:"+testKey(1))
	fc := FailureConverter(ring)
	f := fc.ErrorToFailure(errors.New("smtp: 550 no such user " + email))

	require.Equal(t, "Encoded failure", f.GetMessage())
	wire, err := proto.Marshal(f)
	require.NoError(t, err)
	require.False(t, bytes.Contains(wire, []byte(email)))
	require.Equal(t, EncodingEncrypted,
		string(f.GetEncodedAttributes().GetMetadata()[converter.MetadataEncoding]))

	back := fc.FailureToError(f)
	require.ErrorContains(t, back, email)
}
