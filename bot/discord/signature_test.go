package discord

import (
	stded25519 "crypto/ed25519"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

func signedHeader(priv stded25519.PrivateKey, timestamp string, body []byte) http.Header {
	h := http.Header{}
	h.Set("X-Signature-Timestamp", timestamp)
	h.Set("X-Signature-Ed25519", hex.EncodeToString(stded25519.Sign(priv, append([]byte(timestamp), body...))))
	return h
}

func TestSignatureKey(t *testing.T) {
	pub, priv := testKey(1)
	_, otherPriv := testKey(2)
	key, err := newSignatureKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":3,"id":"1"}`)
	for _, tt := range []struct {
		name   string
		header http.Header
		body   []byte
		want   bool
	}{
		{"signed by Discord", signedHeader(priv, "1764633600", body), body, true},
		{"body changed", signedHeader(priv, "1764633600", body), []byte(`{"type":3,"id":"2"}`), false},
		{"timestamp changed", func() http.Header {
			h := signedHeader(priv, "1764633600", body)
			h.Set("X-Signature-Timestamp", "1764633601")
			return h
		}(), body, false},
		{"signed by another key", signedHeader(otherPriv, "1764633600", body), body, false},
		{"no timestamp", func() http.Header {
			h := signedHeader(priv, "", body)
			h.Del("X-Signature-Timestamp")
			return h
		}(), body, false},
		{"signature not hexadecimal", http.Header{"X-Signature-Timestamp": {"1"}, "X-Signature-Ed25519": {"zz"}}, body, false},
		{"signature too short", http.Header{"X-Signature-Timestamp": {"1"}, "X-Signature-Ed25519": {"abcd"}}, body, false},
		{"no signature", http.Header{"X-Signature-Timestamp": {"1"}}, body, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := key.signed(tt.header, tt.body); got != tt.want {
				t.Fatalf("signed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseSignatureKey(t *testing.T) {
	pub, _ := testKey(1)
	for _, tt := range []struct {
		name, key string
		ok        bool
	}{
		{"as the developer portal shows it", hex.EncodeToString(pub), true},
		{"not hexadecimal", strings.Repeat("zz", 32), false},
		{"31 bytes", hex.EncodeToString(pub[:31]), false},
		{"33 bytes", hex.EncodeToString(append(pub, 0)), false},
		{"empty", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSignatureKey(tt.key)
			if (err == nil) != tt.ok {
				t.Fatalf("parseSignatureKey(%q) = %v, want accepted %v", tt.key, err, tt.ok)
			}
		})
	}
}

func testKey(seed byte) (stded25519.PublicKey, stded25519.PrivateKey) {
	s := make([]byte, stded25519.SeedSize)
	s[0] = seed
	priv := stded25519.NewKeyFromSeed(s)
	return priv.Public().(stded25519.PublicKey), priv
}

// Whatever the key, message and signature, including signatures changed
// a bit at a time and keys of small order, the endpoint accepts exactly
// what crypto/ed25519 accepts.
func FuzzSignatureKeyAgreesWithTheStandardLibrary(f *testing.F) {
	f.Add([]byte{1}, []byte("1764633600{}"), -1, byte(0), false)
	f.Add([]byte{2}, []byte("x"), 3, byte(0x80), false)
	f.Add([]byte{3}, []byte(""), 63, byte(0x10), true)
	// The identity point as the public key, and a signature with R the
	// identity and S zero: cofactorless verification accepts it for any
	// message, as the standard library does.
	identity := append([]byte{1}, make([]byte, 31)...)
	f.Add(append(identity, identity...), []byte("any"), -1, byte(0), true)
	f.Fuzz(func(t *testing.T, seed, msg []byte, flip int, mask byte, raw bool) {
		var pub, sig []byte
		if raw && len(seed) >= 64 {
			// Key and signature taken as given (the signature's S is zero
			// past the given bytes).
			pub, sig = seed[:32], append(append([]byte{}, seed[32:64]...), make([]byte, 32)...)
		} else {
			s := make([]byte, stded25519.SeedSize)
			copy(s, seed)
			priv := stded25519.NewKeyFromSeed(s)
			pub, sig = priv.Public().(stded25519.PublicKey), stded25519.Sign(priv, msg)
		}
		if flip >= 0 && flip < len(sig) {
			sig[flip] ^= mask
		}
		want := stded25519.Verify(pub, msg, sig)
		key, err := newSignatureKey(pub)
		if err != nil {
			if want {
				t.Fatalf("key %x refused (%v), crypto/ed25519 accepts a signature by it", pub, err)
			}
			return
		}
		if got := key.verify(msg, sig); got != want {
			t.Fatalf("key %x, message %x, signature %x: accepted %v, crypto/ed25519 %v", pub, msg, sig, got, want)
		}
	})
}

// go test -run XXX -bench VerifySignature ./bot/discord/
func BenchmarkVerifySignature(b *testing.B) {
	pub, priv := testKey(1)
	body := make([]byte, 1200) // a press with its message, as Discord posts it
	h := signedHeader(priv, "1764633600", body)
	b.Run("crypto/ed25519", func(b *testing.B) {
		sig, _ := hex.DecodeString(h.Get("X-Signature-Ed25519"))
		msg := append([]byte("1764633600"), body...)
		for b.Loop() {
			if !stded25519.Verify(pub, msg, sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("curve25519-voi", func(b *testing.B) {
		key, err := newSignatureKey(pub)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if !key.signed(h, body) {
				b.Fatal("refused")
			}
		}
	})
}
