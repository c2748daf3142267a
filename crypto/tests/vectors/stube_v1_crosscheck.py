"""Independent re-computation of the frozen Stube v1 vectors in crypto/src/vectors.rs (module stube_v1)
with other implementations: argon2-cffi and pyca/cryptography. Run: pip install argon2-cffi cryptography;
python3 crypto/tests/vectors/stube_v1_crosscheck.py and compare with the constants."""
import hashlib, hmac, struct, unicodedata
from argon2.low_level import hash_secret_raw, Type
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
def hkdf(salt, ikm, info, n=32):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    t=b''; okm=b''; i=1
    while len(okm)<n:
        t=hmac.new(prk, t+info+bytes([i]), hashlib.sha256).digest(); okm+=t; i+=1
    return okm[:n]
pw = unicodedata.normalize('NFC', "Grüne Äpfel tanzen leise im Mondlicht").encode()
room=b'stube testraum'
salt=hashlib.sha256(b'stube/v1/argon2-salt'+struct.pack('>I',len(room))+room).digest()
root=hash_secret_raw(pw, salt, time_cost=3, memory_cost=32768, parallelism=1, hash_len=32, type=Type.ID, version=19)
S=b'stube/v1/key-schedule'
keys={n:hkdf(S,root,b'stube/v1/'+l) for n,l in [('SIGNAL',b'signal-key'),('CHAT',b'chat-key'),('MEDIA',b'media-key'),('SAFETY',b'safety-number-key'),('CONF',b'key-confirmation')]}
for k,v in keys.items(): print(k, v.hex())
rid=hashlib.sha256(b'stube/v1/room-id'+room).hexdigest().encode()
pt=b"v=0 o=- 4611731400430051336 2 IN IP4 127.0.0.1"
nonce=bytes(range(12))
aad=b'stube/v1/signal'+b'\x01'+rid+struct.pack('>QQ',7,9)+b'\x03'+struct.pack('>Q',1)
print('ENV', (b'\x01\x03'+struct.pack('>Q',1)+nonce+AESGCM(keys['SIGNAL']).encrypt(nonce,pt,aad)).hex())
sid=b'\x5a'*16
sk=hkdf(sid,keys['CHAT'],b'stube/v1/stream-key')
aad=b'stube/v1/stream'+b'\x01'+rid+sid+b'\x01'+struct.pack('>Q',0)
print('FRAME', (b'\x01\x01'+struct.pack('>Q',0)+AESGCM(sk).encrypt(bytes(12),b"Hallo, Welt!",aad)).hex())
a="sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89".encode()
b="sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF".encode()
lo,hi=sorted([a,b])
m=hmac.new(keys['SAFETY'], b'stube/v1/safety-number'+struct.pack('>I',len(lo))+lo+struct.pack('>I',len(hi))+hi, hashlib.sha256).digest()
print('SAFETY_NUMBER', '%015d' % (int.from_bytes(m[:16],'big') % 10**15))
