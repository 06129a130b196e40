package discord

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// signatureKey checks the Ed25519 signature Discord puts on every request
// to the interactions endpoint. The standard library's Verify unpacks the
// public key on each call and cost about 58 µs a request, a fifth of a
// press's CPU on the endpoint; curve25519-voi unpacks it once, with its
// tables, and verifies in about 29 µs. It is told to accept exactly what
// crypto/ed25519 accepts (FuzzSignatureKeyAgreesWithTheStandardLibrary).
type signatureKey struct {
	key *ed25519.ExpandedPublicKey
}

var stdlibRules = &ed25519.Options{Verify: ed25519.VerifyOptionsStdLib}

// parseSignatureKey reads the application's public key as the developer
// portal shows it, in hexadecimal.
func parseSignatureKey(hexKey string) (*signatureKey, error) {
	key, err := hex.DecodeString(hexKey)
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, errors.New("the public key must be 64 hexadecimal characters")
	}
	return newSignatureKey(key)
}

func newSignatureKey(publicKey []byte) (*signatureKey, error) {
	if len(publicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key of %d bytes, want %d", len(publicKey), ed25519.PublicKeySize)
	}
	k, err := ed25519.NewExpandedPublicKey(ed25519.PublicKey(publicKey))
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	return &signatureKey{key: k}, nil
}

// signed tells whether body, with the request's timestamp header before
// it, carries Discord's signature.
func (k *signatureKey) signed(h http.Header, body []byte) bool {
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	timestamp := h.Get("X-Signature-Timestamp")
	if timestamp == "" {
		return false
	}
	msg := make([]byte, 0, len(timestamp)+len(body))
	msg = append(append(msg, timestamp...), body...)
	return k.verify(msg, sig)
}

func (k *signatureKey) verify(msg, sig []byte) bool {
	return ed25519.VerifyExpandedWithOptions(k.key, msg, sig, stdlibRules)
}
