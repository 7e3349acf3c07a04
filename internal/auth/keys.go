package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// KeySet is the signing key plus every public key that verifies tokens: the
// signing key's own and any retired ones still trusted until their tokens expire.
type KeySet struct {
	signing jwk.Key
	public  jwk.Set
}

// NewKeySet builds a KeySet from a private signing key and optional extra
// verification keys (public or private; only the public half is kept).
func NewKeySet(signing jwk.Key, verifyOnly ...jwk.Key) (*KeySet, error) {
	set := jwk.NewSet()
	seen := map[string]bool{}
	for i, k := range append([]jwk.Key{signing}, verifyOnly...) {
		pub, err := jwk.PublicKeyOf(k)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
		if seen[pub.KeyID()] {
			continue
		}
		seen[pub.KeyID()] = true
		if err := set.AddKey(pub); err != nil {
			return nil, err
		}
	}
	return &KeySet{signing: signing, public: set}, nil
}

// PublicSet is the JWKS document content.
func (k *KeySet) PublicSet() jwk.Set { return k.public }

// SigningKeyID is the kid of the current signing key.
func (k *KeySet) SigningKeyID() string { return k.signing.KeyID() }

// ParseKeyPEM reads one PEM key (PKCS#8 or SEC1 private key, or a PKIX
// public key) for Ed25519 (EdDSA) or P-256 (ES256), and sets its kid (the RFC
// 7638 thumbprint), alg and use.
func ParseKeyPEM(data []byte) (jwk.Key, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var raw any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		raw, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		raw, err = x509.ParseECPrivateKey(block.Bytes)
	case "PUBLIC KEY":
		raw, err = x509.ParsePKIXPublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("unsupported PEM block %q", block.Type)
	}
	if err != nil {
		return nil, err
	}
	var alg jwa.SignatureAlgorithm
	switch k := raw.(type) {
	case ed25519.PrivateKey, ed25519.PublicKey:
		alg = jwa.EdDSA
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, errors.New("only P-256 EC keys are supported (ES256)")
		}
		alg = jwa.ES256
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, errors.New("only P-256 EC keys are supported (ES256)")
		}
		alg = jwa.ES256
	default:
		return nil, fmt.Errorf("unsupported key type %T: use Ed25519 or P-256", raw)
	}
	key, err := jwk.FromRaw(raw)
	if err != nil {
		return nil, err
	}
	if err := key.Set(jwk.AlgorithmKey, alg); err != nil {
		return nil, err
	}
	if err := key.Set(jwk.KeyUsageKey, jwk.ForSignature); err != nil {
		return nil, err
	}
	tp, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	if err := key.Set(jwk.KeyIDKey, base64URL(tp)); err != nil {
		return nil, err
	}
	return key, nil
}

// LoadKeyFile reads a PEM key file.
func LoadKeyFile(path string) (jwk.Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := ParseKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// LoadOrCreateKeyFile reads the Ed25519 signing key at path, creating it
// (mode 0600, atomically) when it does not exist. created reports whether a
// new key was written.
func LoadOrCreateKeyFile(path string) (key jwk.Key, created bool, err error) {
	key, err = LoadKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	data, err := NewEd25519PEM()
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".jwt-key-*")
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the link below
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Close(); err != nil {
		return nil, false, err
	}
	// Link, not rename: if another process created the key meanwhile, keep theirs.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			key, err = LoadKeyFile(path)
			return key, false, err
		}
		return nil, false, err
	}
	key, err = LoadKeyFile(path)
	return key, err == nil, err
}

// NewEd25519PEM generates an Ed25519 private key as a PKCS#8 PEM block.
func NewEd25519PEM() ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
