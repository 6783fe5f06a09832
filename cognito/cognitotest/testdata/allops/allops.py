"""Call every operation of cognito-idp and cognito-identity through boto3.

Usage: python3 allops.py ENDPOINT_URL
       python3 allops.py --selftest


Against a cognitotest server at ENDPOINT_URL (dummy credentials), this sets
up a user pool, app clients, users, a group, an identity provider, an
identity pool... and then calls every operation of both botocore service
models with a valid input, in an order where each finds what it needs
(create before describe, update and delete). For every call it records the
error code, if any, and checks the raw JSON body against the operation's
output shape from botocore's own model (client.meta.service_model): every
key a member of its structure, every required member present, scalars of
their modeled type and enum, recursively through lists, maps and nested
structures.

It prints one JSON document on stdout:
  {"results": [{"service", "op", "status", "code", "message", "problems"}],
   "uncalled": {"cognito-idp": [...], "cognito-identity": [...]}}
status is "ok" (a body that matches the output shape), "modeled-error" (an
error the model declares for the operation, from an operation listed in
MAY_ERROR: its precondition can not be met locally), or "fail" (an
undeclared error code, an error from an operation that should succeed, a
body that does not match its shape, or anything else).
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import struct
import sys
import time
import traceback
import urllib.request

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

# The shape checker shared with the other boto3 tests: testdata/shapecheck.py.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from shapecheck import check_shape, error_body_problems, output_problems  # noqa: E402

SELFTEST = sys.argv[1:] == ["--selftest"]
EP = "http://127.0.0.1:9" if SELFTEST else sys.argv[1].rstrip("/")
REGION = "us-east-1"
ACCOUNT = "123456789012"
PASSWORD = "Passw0rd!allops"

# Errors any AWS JSON service may answer, whether or not the model lists
# them for an operation.
COMMON_ERRORS = {"ThrottlingException", "ServiceUnavailable", "InternalFailure", "RequestExpired"}

# Operations whose success needs something the emulator can not be given
# here; a modeled error from them is accepted as "modeled-error".
MAY_ERROR = {
    # A WebAuthn attestation needs an authenticator.
    "CompleteWebAuthnRegistration": "needs a real authenticator's attestation",
    "DeleteWebAuthnCredential": "no passkey was registered (needs an authenticator)",
    # The feedback token is only in the risk notification e-mail.
    # (cognitotest gives it to Go tests: AuthEventFeedbackToken.)
    "UpdateAuthEventFeedback": "the feedback token comes in a risk notification",
    # The job finished already (it imports at once).
    "StopUserImportJob": "the import job has already finished",
}

cfg = Config(region_name=REGION, retries={"total_max_attempts": 1}, parameter_validation=True)


def new_client(service):
    return boto3.client(service, endpoint_url=EP, aws_access_key_id="AKIDALLOPS",
                        aws_secret_access_key="allops-secret", config=cfg)


idp = new_client("cognito-idp")
ci = new_client("cognito-identity")
last_body = {}


def remember_body(http_response=None, **_):
    last_body["raw"] = http_response.content if http_response is not None else b""


for c in (idp, ci):
    c.meta.events.register("after-call", remember_body)

results = []
called = {"cognito-idp": set(), "cognito-identity": set()}


def selftest():
    """Feeds check_shape bodies that break DescribeUserPool's output shape,
    one way each, and prints the problems found for each (none must be
    empty), so the Go test knows the checker can fail."""
    om = idp.meta.service_model.operation_model("DescribeUserPool")
    good = {"Id": "us-east-1_abc", "Name": "p", "CreationDate": 1700000000, "MfaConfiguration": "OFF",
            "SchemaAttributes": [{"Name": "email", "AttributeDataType": "String"}]}
    cases = {
        "valid": {"UserPool": good},
        "unknown key": {"UserPool": dict(good, Colour="blue")},
        "unknown top-level key": {"UserPool": good, "Extra": 1},
        "wrong type": {"UserPool": dict(good, Name=7)},
        "timestamp as text": {"UserPool": dict(good, CreationDate="2024-01-01T00:00:00Z")},
        "enum value": {"UserPool": dict(good, MfaConfiguration="SOMETIMES")},
        "null": {"UserPool": dict(good, Name=None)},
        "nested list member": {"UserPool": dict(good, SchemaAttributes=[{"Name": "email", "Typo": "String"}])},
        "map value": {"UserPool": dict(good, UserPoolTags={"a": 1})},
    }
    out = {}
    for name, body in cases.items():
        problems = []
        check_shape(om.output_shape, body, "DescribeUserPool", problems)
        out[name] = problems
    problems = []  # DescribeIdentityPool's output requires IdentityPoolId
    check_shape(ci.meta.service_model.operation_model("DescribeIdentityPool").output_shape,
                {"IdentityPoolName": "x", "AllowUnauthenticatedIdentities": True}, "DescribeIdentityPool", problems)
    out["required member missing"] = problems
    nf = idp.meta.service_model.shape_for("ResourceNotFoundException")
    out["valid error"] = error_body_problems(nf, b'{"__type":"ResourceNotFoundException","message":"gone"}')
    out["error without __type"] = error_body_problems(nf, b'{"message":"gone"}')
    out["error with a stray key"] = error_body_problems(nf, b'{"__type":"ResourceNotFoundException","message":"m","Why":1}')
    print(json.dumps(out))


def call(client, op, _expect=None, **params):
    """Calls op with params; returns the parsed output, or None on error.
    With _expect, the call is a negative case: it must answer that error
    code (declared by the model), in AWS's error shape."""
    svc = client.meta.service_model
    om = svc.operation_model(op)
    called[svc.service_name].add(op)
    rec = {"service": svc.service_name, "op": op, "status": "ok", "code": "", "message": "", "problems": [],
           "expect": _expect or ""}
    results.append(rec)
    last_body.clear()
    try:
        out = getattr(client, xform_name(op))(**params)
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        rec["code"], rec["message"] = code, e.response.get("Error", {}).get("Message", "")
        declared = {s.name: s for s in om.error_shapes}
        rec["problems"].extend(error_body_problems(declared.get(code), last_body.get("raw") or b""))
        if code not in declared and code not in COMMON_ERRORS:
            rec["status"] = "fail"
            rec["problems"].append("error %s is not declared by the model for %s" % (code, op))
        elif _expect is not None:
            if code != _expect:
                rec["problems"].append("answered %s, not %s" % (code, _expect))
            rec["status"] = "fail" if rec["problems"] else "ok"
        elif op in MAY_ERROR and not rec["problems"]:
            rec["status"] = "modeled-error"
        else:
            rec["status"] = "fail"
            rec["problems"].append("answered %s to a valid input" % code)
        return None
    except Exception as e:  # a client-side failure: a body boto3 could not parse, etc.
        rec["status"] = "fail"
        rec["problems"].append("%s: %s" % (type(e).__name__, e))
        return None
    if "raw" not in last_body:
        rec["status"] = "fail"
        rec["problems"].append("the driver saw no response body")
        return out
    raw = last_body["raw"] or b""
    rec["bytes"] = len(raw)
    if _expect is not None:
        rec["problems"].append("succeeded; expected %s" % _expect)
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        rec["status"] = "fail"
        rec["problems"].append("body is not JSON: %r" % raw[:200])
        return out
    rec["problems"].extend(output_problems(om.output_shape, body, op))
    if rec["problems"]:
        rec["status"] = "fail"
    return out


def step(fn):
    """Runs one setup step; a crash is recorded and the walk goes on."""
    try:
        return fn()
    except Exception:
        results.append({"service": "driver", "op": fn.__name__, "status": "fail", "code": "",
                        "message": "", "problems": [traceback.format_exc(limit=3)]})
        return None


def http_json(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(EP + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


def last_code(pool_id, username, kind=None):
    msgs = http_json("GET", "/_emulator/messages?poolId=%s&username=%s" % (pool_id, username))["messages"]
    for m in reversed(msgs):
        if kind is None or m.get("kind") == kind:
            return m.get("code", "")
    return ""


def totp(secret_b32, ahead=0):
    """The RFC 6238 code of the current 30-second step, or one ahead."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8), casefold=True)
    counter = struct.pack(">Q", int(time.time()) // 30 + ahead)
    h = hmac.new(key, counter, hashlib.sha1).digest()
    o = h[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


# Cognito's SRP-6a variant (the 3072-bit group of RFC 3526, g = 2), as
# the AWS SDKs' clients compute it.
N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF")
SRP_N, SRP_G = int(N_HEX, 16), 2


def pad_hex(v):
    h = v if isinstance(v, str) else "%x" % v
    if len(h) % 2 == 1:
        h = "0" + h
    elif h[0] in "89abcdefABCDEF":
        h = "00" + h
    return h


def hex_hash(h):
    return hashlib.sha256(bytes.fromhex(h)).hexdigest()


class SRPClient:
    """The client half of USER_SRP_AUTH."""

    def __init__(self, pool_id):
        self.pool_name = pool_id.split("_", 1)[1]
        self.a = int.from_bytes(os.urandom(128), "big") % SRP_N
        self.A = pow(SRP_G, self.a, SRP_N)

    def answer(self, params, password):
        user = params["USER_ID_FOR_SRP"]
        B, salt = int(params["SRP_B"], 16), params["SALT"]
        k = int(hex_hash("00" + N_HEX + "0" + "2"), 16)
        u = int(hex_hash(pad_hex(self.A) + pad_hex(B)), 16)
        inner = hashlib.sha256(("%s%s:%s" % (self.pool_name, user, password)).encode()).hexdigest()
        x = int(hex_hash(pad_hex(salt) + inner), 16)
        S = pow(B - k * pow(SRP_G, x, SRP_N), self.a + u * x, SRP_N)
        prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(S)), hashlib.sha256).digest()
        key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
        now = datetime.datetime.now(datetime.timezone.utc)
        stamp = now.strftime("%a %b ") + str(now.day) + now.strftime(" %H:%M:%S UTC %Y")
        block = params["SECRET_BLOCK"]
        msg = self.pool_name.encode() + user.encode() + base64.b64decode(block) + stamp.encode()
        sig = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
        return {"USERNAME": user, "TIMESTAMP": stamp, "PASSWORD_CLAIM_SECRET_BLOCK": block,
                "PASSWORD_CLAIM_SIGNATURE": sig}


def g(out, *keys, default=None):
    for k in keys:
        if not isinstance(out, dict) or k not in out:
            return default
        out = out[k]
    return out


def sign_in(pool, client_id, username, password=PASSWORD):
    out = idp.admin_initiate_auth(UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": username, "PASSWORD": password})
    return out["AuthenticationResult"]


def new_user(pool, username, attrs=None):
    idp.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": k, "Value": v} for k, v in (attrs or {}).items()])
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)


if SELFTEST:
    selftest()
    sys.exit(0)

# ---------------------------------------------------------------- user pools

# No ALLOW_REFRESH_TOKEN_AUTH: the client rotates refresh tokens
# (GetTokensFromRefreshToken), and Cognito refuses both at once.
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]

# A pool with most of the configuration Cognito stores, so that the
# Describe answers carry every part of their shapes.
pool_out = call(idp, "CreateUserPool", PoolName="allops", UserPoolTier="PLUS", DeletionProtection="INACTIVE",
                AutoVerifiedAttributes=["email"],                 VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_CODE",
                                             "EmailSubject": "Your code", "EmailMessage": "Code {####}",
                                             "SmsMessage": "Code {####}"},
                SmsAuthenticationMessage="Auth code {####}",
                MfaConfiguration="OFF",
                UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
                EmailConfiguration={"EmailSendingAccount": "COGNITO_DEFAULT"},
                AdminCreateUserConfig={"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7,
                                       "InviteMessageTemplate": {"EmailSubject": "Welcome",
                                                                 "EmailMessage": "User {username} pw {####}",
                                                                 "SMSMessage": "User {username} pw {####}"}},
                UsernameConfiguration={"CaseSensitive": False},
                AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
                Schema=[{"Name": "email", "AttributeDataType": "String", "Required": False, "Mutable": True},
                        {"Name": "dept", "AttributeDataType": "String", "Mutable": True,
                         "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "64"}}],
                Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                             "RequireNumbers": True, "RequireSymbols": True,
                                             "TemporaryPasswordValidityDays": 7, "PasswordHistorySize": 2},
                          "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
                DeviceConfiguration={"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": True},
                UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"},
                UserPoolTags={"stack": "allops"})
POOL = g(pool_out, "UserPool", "Id", default="us-east-1_missing")
POOL_ARN = g(pool_out, "UserPool", "Arn", default="arn:aws:cognito-idp:%s:%s:userpool/%s" % (REGION, ACCOUNT, POOL))

client_out = call(idp, "CreateUserPoolClient", UserPoolId=POOL, ClientName="allops-app", ExplicitAuthFlows=FLOWS,
                  SupportedIdentityProviders=["COGNITO"], CallbackURLs=["https://app.example.com/cb"],
                  LogoutURLs=["https://app.example.com/out"], AllowedOAuthFlows=["code"],
                  AllowedOAuthScopes=["openid", "email", "aws.cognito.signin.user.admin"],
                  AllowedOAuthFlowsUserPoolClient=True, DefaultRedirectURI="https://app.example.com/cb",
                  ReadAttributes=["email", "email_verified", "custom:dept"], WriteAttributes=["email", "custom:dept"],
                  AccessTokenValidity=60, IdTokenValidity=60, RefreshTokenValidity=30,
                  TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
                  PreventUserExistenceErrors="ENABLED", EnableTokenRevocation=True,
                  EnablePropagateAdditionalUserContextData=False, AuthSessionValidity=3,
                  RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 10})
CLIENT = g(client_out, "UserPoolClient", "ClientId", default="missingclient")
secret_client = call(idp, "CreateUserPoolClient", UserPoolId=POOL, ClientName="allops-confidential", GenerateSecret=True,
                     ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
SECRET_CLIENT = g(secret_client, "UserPoolClient", "ClientId", default="missingclient")

call(idp, "DescribeUserPool", UserPoolId=POOL)
call(idp, "ListUserPools", MaxResults=10)
call(idp, "UpdateUserPool", UserPoolId=POOL, UserPoolTier="PLUS", AutoVerifiedAttributes=["email"],
     Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                  "RequireNumbers": True, "RequireSymbols": True},
               "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
     DeviceConfiguration={"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": True},
     UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
call(idp, "AddCustomAttributes", UserPoolId=POOL,
     CustomAttributes=[{"Name": "team", "AttributeDataType": "String", "Mutable": True,
                        "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "64"}}])
call(idp, "DescribeUserPoolClient", UserPoolId=POOL, ClientId=CLIENT)
call(idp, "ListUserPoolClients", UserPoolId=POOL, MaxResults=10)
call(idp, "UpdateUserPoolClient", UserPoolId=POOL, ClientId=CLIENT, ClientName="allops-app", ExplicitAuthFlows=FLOWS,
     SupportedIdentityProviders=["COGNITO"], CallbackURLs=["https://app.example.com/cb"],
     LogoutURLs=["https://app.example.com/out"], AllowedOAuthFlows=["code"],
     AllowedOAuthScopes=["openid", "email", "aws.cognito.signin.user.admin"], AllowedOAuthFlowsUserPoolClient=True,
     RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 10})
call(idp, "SetUserPoolMfaConfig", UserPoolId=POOL, MfaConfiguration="OPTIONAL",
     SoftwareTokenMfaConfiguration={"Enabled": True},
     WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "preferred"})
call(idp, "GetUserPoolMfaConfig", UserPoolId=POOL)
call(idp, "GetSigningCertificate", UserPoolId=POOL)
call(idp, "GetCSVHeader", UserPoolId=POOL)

# Client secrets.
added = call(idp, "AddUserPoolClientSecret", UserPoolId=POOL, ClientId=SECRET_CLIENT)
call(idp, "ListUserPoolClientSecrets", UserPoolId=POOL, ClientId=SECRET_CLIENT)
call(idp, "DeleteUserPoolClientSecret", UserPoolId=POOL, ClientId=SECRET_CLIENT,
     ClientSecretId=g(added, "ClientSecretDescriptor", "ClientSecretId", default="missing-secret-id"))

# Tags.
call(idp, "TagResource", ResourceArn=POOL_ARN, Tags={"team": "auth"})
call(idp, "ListTagsForResource", ResourceArn=POOL_ARN)
call(idp, "UntagResource", ResourceArn=POOL_ARN, TagKeys=["team"])

# Domain, branding, terms, UI customization, logging, risk.
DOMAIN = "allops-%d" % (int(time.time() * 1000) % 1000000)
call(idp, "CreateUserPoolDomain", UserPoolId=POOL, Domain=DOMAIN, ManagedLoginVersion=2)
call(idp, "DescribeUserPoolDomain", Domain=DOMAIN)
call(idp, "UpdateUserPoolDomain", UserPoolId=POOL, Domain=DOMAIN, ManagedLoginVersion=1)
branding = call(idp, "CreateManagedLoginBranding", UserPoolId=POOL, ClientId=CLIENT, UseCognitoProvidedValues=True)
BRANDING = g(branding, "ManagedLoginBranding", "ManagedLoginBrandingId", default="00000000-0000-4000-8000-000000000000")
call(idp, "DescribeManagedLoginBranding", UserPoolId=POOL, ManagedLoginBrandingId=BRANDING)
call(idp, "DescribeManagedLoginBrandingByClient", UserPoolId=POOL, ClientId=CLIENT)
call(idp, "UpdateManagedLoginBranding", UserPoolId=POOL, ManagedLoginBrandingId=BRANDING, UseCognitoProvidedValues=True)
terms = call(idp, "CreateTerms", UserPoolId=POOL, ClientId=CLIENT, TermsName="terms-of-use", TermsSource="LINK",
             Enforcement="NONE", Links={"cognito:default": "https://app.example.com/terms"})
TERMS = g(terms, "Terms", "TermsId", default="00000000-0000-4000-8000-000000000000")
call(idp, "DescribeTerms", UserPoolId=POOL, TermsId=TERMS)
call(idp, "ListTerms", UserPoolId=POOL, MaxResults=10)
call(idp, "UpdateTerms", UserPoolId=POOL, TermsId=TERMS, TermsName="terms-of-use", TermsSource="LINK",
     Enforcement="NONE", Links={"cognito:default": "https://app.example.com/terms-v2"})
call(idp, "SetUICustomization", UserPoolId=POOL, ClientId=CLIENT, CSS=".label-customizable {font-weight: 400;}")
call(idp, "GetUICustomization", UserPoolId=POOL, ClientId=CLIENT)
call(idp, "SetLogDeliveryConfiguration", UserPoolId=POOL, LogConfigurations=[{
    "LogLevel": "ERROR", "EventSource": "userNotification",
    "CloudWatchLogsConfiguration": {"LogGroupArn": "arn:aws:logs:%s:%s:log-group:/aws/cognito/allops" % (REGION, ACCOUNT)}}])
call(idp, "GetLogDeliveryConfiguration", UserPoolId=POOL)
call(idp, "SetRiskConfiguration", UserPoolId=POOL, ClientId=CLIENT,
     RiskExceptionConfiguration={"BlockedIPRangeList": ["192.0.2.0/24"]})
call(idp, "DescribeRiskConfiguration", UserPoolId=POOL, ClientId=CLIENT)

# Resource servers.
call(idp, "CreateResourceServer", UserPoolId=POOL, Identifier="https://api.example.com", Name="api",
     Scopes=[{"ScopeName": "read", "ScopeDescription": "read things"}])
call(idp, "DescribeResourceServer", UserPoolId=POOL, Identifier="https://api.example.com")
call(idp, "ListResourceServers", UserPoolId=POOL, MaxResults=10)
call(idp, "UpdateResourceServer", UserPoolId=POOL, Identifier="https://api.example.com", Name="api",
     Scopes=[{"ScopeName": "read", "ScopeDescription": "read things"}, {"ScopeName": "write", "ScopeDescription": "write"}])

# Identity providers.
call(idp, "CreateIdentityProvider", UserPoolId=POOL, ProviderName="Google", ProviderType="Google",
     ProviderDetails={"client_id": "google-client", "client_secret": "google-secret", "authorize_scopes": "openid email"},
     AttributeMapping={"email": "email"}, IdpIdentifiers=["allopsidp"])
call(idp, "DescribeIdentityProvider", UserPoolId=POOL, ProviderName="Google")
call(idp, "GetIdentityProviderByIdentifier", UserPoolId=POOL, IdpIdentifier="allopsidp")
call(idp, "ListIdentityProviders", UserPoolId=POOL, MaxResults=10)
call(idp, "UpdateIdentityProvider", UserPoolId=POOL, ProviderName="Google",
     AttributeMapping={"email": "email", "name": "name"})

# Users and groups.
call(idp, "AdminCreateUser", UserPoolId=POOL, Username="alice", MessageAction="SUPPRESS",
     UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"}])
call(idp, "AdminSetUserPassword", UserPoolId=POOL, Username="alice", Password=PASSWORD, Permanent=True)
call(idp, "AdminGetUser", UserPoolId=POOL, Username="alice")
call(idp, "ListUsers", UserPoolId=POOL, Limit=10)
call(idp, "AdminUpdateUserAttributes", UserPoolId=POOL, Username="alice",
     UserAttributes=[{"Name": "custom:dept", "Value": "eng"}, {"Name": "given_name", "Value": "Alice"}])
call(idp, "AdminDeleteUserAttributes", UserPoolId=POOL, Username="alice", UserAttributeNames=["given_name"])
call(idp, "AdminDisableUser", UserPoolId=POOL, Username="alice")
call(idp, "AdminEnableUser", UserPoolId=POOL, Username="alice")
call(idp, "AdminSetUserMFAPreference", UserPoolId=POOL, Username="alice",
     SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False})
call(idp, "CreateGroup", UserPoolId=POOL, GroupName="admins", Description="admins", Precedence=1,
     RoleArn="arn:aws:iam::%s:role/allops-admins" % ACCOUNT)
call(idp, "GetGroup", UserPoolId=POOL, GroupName="admins")
call(idp, "UpdateGroup", UserPoolId=POOL, GroupName="admins", Description="the admins", Precedence=2)
call(idp, "ListGroups", UserPoolId=POOL, Limit=10)
call(idp, "AdminAddUserToGroup", UserPoolId=POOL, Username="alice", GroupName="admins")
call(idp, "AdminListGroupsForUser", UserPoolId=POOL, Username="alice", Limit=10)
call(idp, "ListUsersInGroup", UserPoolId=POOL, GroupName="admins", Limit=10)
call(idp, "AdminRemoveUserFromGroup", UserPoolId=POOL, Username="alice", GroupName="admins")

# Account linking.
call(idp, "AdminLinkProviderForUser", UserPoolId=POOL,
     DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "alice"},
     SourceUser={"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "g-1001"})
call(idp, "AdminDisableProviderForUser", UserPoolId=POOL,
     User={"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "g-1001"})

# Sign-in: admin and public flows, with a remembered device.
auth = call(idp, "AdminInitiateAuth", UserPoolId=POOL, ClientId=CLIENT, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
call(idp, "InitiateAuth", ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
     AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
# USER_SRP_AUTH: the PASSWORD_VERIFIER challenge and its answer.
srp = SRPClient(POOL)
srp_ch = call(idp, "InitiateAuth", ClientId=CLIENT, AuthFlow="USER_SRP_AUTH",
              AuthParameters={"USERNAME": "alice", "SRP_A": "%x" % srp.A})
srp_params = g(srp_ch, "ChallengeParameters", default={})
srp_answer = step(lambda: srp.answer(srp_params, PASSWORD)) or {"USERNAME": "alice"}
srp_extra = {"Session": srp_ch["Session"]} if srp_ch and srp_ch.get("Session") else {}
call(idp, "RespondToAuthChallenge", ClientId=CLIENT, ChallengeName="PASSWORD_VERIFIER",
     ChallengeResponses=srp_answer, **srp_extra)
ACCESS = g(auth, "AuthenticationResult", "AccessToken", default="missing-token")
ID_TOKEN = g(auth, "AuthenticationResult", "IdToken", default="missing-token")
REFRESH = g(auth, "AuthenticationResult", "RefreshToken", default="missing-token")
DEVICE = g(auth, "AuthenticationResult", "NewDeviceMetadata", "DeviceKey", default="us-east-1_missing")
call(idp, "ConfirmDevice", AccessToken=ACCESS, DeviceKey=DEVICE, DeviceName="allops laptop",
     DeviceSecretVerifierConfig={"PasswordVerifier": base64.b64encode(b"\x01" * 256).decode(),
                                 "Salt": base64.b64encode(b"\x02" * 16).decode()})
call(idp, "GetDevice", AccessToken=ACCESS, DeviceKey=DEVICE)
call(idp, "ListDevices", AccessToken=ACCESS, Limit=10)
call(idp, "AdminGetDevice", UserPoolId=POOL, Username="alice", DeviceKey=DEVICE)
call(idp, "AdminListDevices", UserPoolId=POOL, Username="alice", Limit=10)
call(idp, "UpdateDeviceStatus", AccessToken=ACCESS, DeviceKey=DEVICE, DeviceRememberedStatus="remembered")
call(idp, "AdminUpdateDeviceStatus", UserPoolId=POOL, Username="alice", DeviceKey=DEVICE,
     DeviceRememberedStatus="not_remembered")

# Self-service operations.
call(idp, "GetUser", AccessToken=ACCESS)
call(idp, "GetUserAuthFactors", AccessToken=ACCESS)
call(idp, "UpdateUserAttributes", AccessToken=ACCESS, UserAttributes=[{"Name": "family_name", "Value": "Liddell"}])
call(idp, "DeleteUserAttributes", AccessToken=ACCESS, UserAttributeNames=["family_name"])
call(idp, "GetUserAttributeVerificationCode", AccessToken=ACCESS, AttributeName="email")
call(idp, "VerifyUserAttribute", AccessToken=ACCESS, AttributeName="email",
     Code=step(lambda: last_code(POOL, "alice")) or "000000")
# The legacy MFA settings (SMS to phone_number) on a user of their own:
# with them set, a sign-in may ask for an SMS code.
step(lambda: new_user(POOL, "dave", {"email": "dave@example.com", "phone_number": "+15555550100"}))
dave_access = g(step(lambda: sign_in(POOL, CLIENT, "dave")), "AccessToken", default="missing-token")
call(idp, "AdminSetUserSettings", UserPoolId=POOL, Username="dave",
     MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
call(idp, "SetUserSettings", AccessToken=dave_access, MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
call(idp, "SetUserMFAPreference", AccessToken=ACCESS, SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False})
call(idp, "ChangePassword", AccessToken=ACCESS, PreviousPassword=PASSWORD, ProposedPassword=PASSWORD + "2")
call(idp, "AdminSetUserPassword", UserPoolId=POOL, Username="alice", Password=PASSWORD, Permanent=True)
call(idp, "StartWebAuthnRegistration", AccessToken=ACCESS)
call(idp, "CompleteWebAuthnRegistration", AccessToken=ACCESS, Credential={
    "id": "AAAA", "rawId": "AAAA", "type": "public-key",
    "response": {"clientDataJSON": "e30", "attestationObject": "oA"}})
call(idp, "ListWebAuthnCredentials", AccessToken=ACCESS, MaxResults=10)
call(idp, "DeleteWebAuthnCredential", AccessToken=ACCESS, CredentialId="AAAA")
refreshed = call(idp, "GetTokensFromRefreshToken", ClientId=CLIENT, RefreshToken=REFRESH)
REFRESH2 = g(refreshed, "AuthenticationResult", "RefreshToken", default=REFRESH)

# Auth events (the pool records sign-ins under advanced security).
events = call(idp, "AdminListUserAuthEvents", UserPoolId=POOL, Username="alice", MaxResults=10)
EVENT = g(events, "AuthEvents", default=[{}])
EVENT = (EVENT[0] if EVENT else {}).get("EventId", "missing-event")
call(idp, "AdminUpdateAuthEventFeedback", UserPoolId=POOL, Username="alice", EventId=EVENT, FeedbackValue="Valid")
call(idp, "UpdateAuthEventFeedback", UserPoolId=POOL, Username="alice", EventId=EVENT,
     FeedbackToken="not-a-real-feedback-token", FeedbackValue="Valid")

# TOTP for a second user.
step(lambda: new_user(POOL, "mfauser", {"email": "mfa@example.com"}))
mfa_access = step(lambda: sign_in(POOL, CLIENT, "mfauser")["AccessToken"]) or "missing-token"
assoc = call(idp, "AssociateSoftwareToken", AccessToken=mfa_access)
SECRET_CODE = g(assoc, "SecretCode", default="AAAAAAAA")
call(idp, "VerifySoftwareToken", AccessToken=mfa_access, UserCode=totp(SECRET_CODE), FriendlyDeviceName="phone")
# The answers of a user with TOTP as preferred MFA, and the MFA challenge.
call(idp, "SetUserMFAPreference", AccessToken=mfa_access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
call(idp, "GetUser", AccessToken=mfa_access)
call(idp, "AdminGetUser", UserPoolId=POOL, Username="mfauser")
call(idp, "GetUserAuthFactors", AccessToken=mfa_access)
call(idp, "ListUsers", UserPoolId=POOL, Limit=5, AttributesToGet=["email"], Filter='username = "mfauser"')
mfa_ch = call(idp, "AdminInitiateAuth", UserPoolId=POOL, ClientId=CLIENT, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
              AuthParameters={"USERNAME": "mfauser", "PASSWORD": PASSWORD})
# The next step's code (accepted as a neighbour): the step VerifySoftwareToken
# used may not be used twice.
call(idp, "AdminRespondToAuthChallenge", UserPoolId=POOL, ClientId=CLIENT, ChallengeName="SOFTWARE_TOKEN_MFA",
     Session=g(mfa_ch, "Session", default="x" * 20),
     ChallengeResponses={"USERNAME": "mfauser", "SOFTWARE_TOKEN_MFA_CODE": totp(SECRET_CODE, 1)})

# Challenges: a new user must choose a password.
for name in ("newbie", "adminnewbie"):
    step(lambda name=name: idp.admin_create_user(UserPoolId=POOL, Username=name, TemporaryPassword="Temp0rary!pw",
                                                 MessageAction="SUPPRESS"))
ch = step(lambda: idp.initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "newbie", "PASSWORD": "Temp0rary!pw"})) or {}
call(idp, "RespondToAuthChallenge", ClientId=CLIENT, ChallengeName="NEW_PASSWORD_REQUIRED", Session=ch.get("Session", "x" * 20),
     ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": PASSWORD})
ach = step(lambda: idp.admin_initiate_auth(UserPoolId=POOL, ClientId=CLIENT, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                           AuthParameters={"USERNAME": "adminnewbie", "PASSWORD": "Temp0rary!pw"})) or {}
call(idp, "AdminRespondToAuthChallenge", UserPoolId=POOL, ClientId=CLIENT, ChallengeName="NEW_PASSWORD_REQUIRED",
     Session=ach.get("Session", "x" * 20), ChallengeResponses={"USERNAME": "adminnewbie", "NEW_PASSWORD": PASSWORD})

# Sign-up, confirmation and password reset.
call(idp, "SignUp", ClientId=CLIENT, Username="bob", Password=PASSWORD,
     UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
call(idp, "ResendConfirmationCode", ClientId=CLIENT, Username="bob")
call(idp, "ConfirmSignUp", ClientId=CLIENT, Username="bob", ConfirmationCode=step(lambda: last_code(POOL, "bob")) or "000000")
call(idp, "SignUp", ClientId=CLIENT, Username="carol", Password=PASSWORD,
     UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])
call(idp, "AdminConfirmSignUp", UserPoolId=POOL, Username="carol")
call(idp, "AdminResetUserPassword", UserPoolId=POOL, Username="bob")
call(idp, "ForgotPassword", ClientId=CLIENT, Username="bob")
call(idp, "ConfirmForgotPassword", ClientId=CLIENT, Username="bob", Password=PASSWORD + "3",
     ConfirmationCode=step(lambda: last_code(POOL, "bob")) or "000000")

# User import.
job = call(idp, "CreateUserImportJob", UserPoolId=POOL, JobName="allops-import",
           CloudWatchLogsRoleArn="arn:aws:iam::%s:role/allops-import" % ACCOUNT)
JOB = g(job, "UserImportJob", "JobId", default="import-missing")
UPLOAD = g(job, "UserImportJob", "PreSignedUrl")


def upload_csv():
    header = idp.get_csv_header(UserPoolId=POOL)["CSVHeader"]
    row = {h: "" for h in header}
    row.update({"cognito:username": "imported", "email": "imported@example.com", "email_verified": "true",
                "cognito:mfa_enabled": "false"})
    body = (",".join(header) + "\n" + ",".join(row[h] for h in header) + "\n").encode()
    req = urllib.request.Request(UPLOAD, data=body, method="PUT",
                                 headers={"Content-Type": "text/csv", "x-amz-server-side-encryption": "aws:kms"})
    urllib.request.urlopen(req, timeout=10).read()


if UPLOAD:
    step(upload_csv)
call(idp, "StartUserImportJob", UserPoolId=POOL, JobId=JOB)
call(idp, "DescribeUserImportJob", UserPoolId=POOL, JobId=JOB)
call(idp, "ListUserImportJobs", UserPoolId=POOL, MaxResults=10)
call(idp, "StopUserImportJob", UserPoolId=POOL, JobId=JOB)

# ------------------------------------------------------------ identity pools

ID_PROVIDER = "cognito-idp.%s.amazonaws.com/%s" % (REGION, POOL)
FB_APP = "4242424242"
ipool = call(ci, "CreateIdentityPool", IdentityPoolName="allops", AllowUnauthenticatedIdentities=True,
             AllowClassicFlow=True, SupportedLoginProviders={"graph.facebook.com": FB_APP},
             DeveloperProviderName="login.allops.dev",
             CognitoIdentityProviders=[{"ProviderName": ID_PROVIDER, "ClientId": CLIENT, "ServerSideTokenCheck": False}],
             IdentityPoolTags={"stack": "allops"})
IPOOL = g(ipool, "IdentityPoolId", default="us-east-1:00000000-0000-4000-8000-000000000000")
IPOOL_ARN = "arn:aws:cognito-identity:%s:%s:identitypool/%s" % (REGION, ACCOUNT, IPOOL)
call(ci, "DescribeIdentityPool", IdentityPoolId=IPOOL)
call(ci, "ListIdentityPools", MaxResults=10)
call(ci, "UpdateIdentityPool", IdentityPoolId=IPOOL, IdentityPoolName="allops", AllowUnauthenticatedIdentities=True,
     AllowClassicFlow=True, SupportedLoginProviders={"graph.facebook.com": FB_APP},
     DeveloperProviderName="login.allops.dev",
     CognitoIdentityProviders=[{"ProviderName": ID_PROVIDER, "ClientId": CLIENT, "ServerSideTokenCheck": False}])
call(ci, "SetIdentityPoolRoles", IdentityPoolId=IPOOL,
     Roles={"authenticated": "arn:aws:iam::%s:role/allops-auth" % ACCOUNT,
            "unauthenticated": "arn:aws:iam::%s:role/allops-unauth" % ACCOUNT})
call(ci, "GetIdentityPoolRoles", IdentityPoolId=IPOOL)
call(ci, "TagResource", ResourceArn=IPOOL_ARN, Tags={"team": "auth"})
call(ci, "ListTagsForResource", ResourceArn=IPOOL_ARN)
call(ci, "UntagResource", ResourceArn=IPOOL_ARN, TagKeys=["team"])
call(ci, "SetPrincipalTagAttributeMap", IdentityPoolId=IPOOL, IdentityProviderName=ID_PROVIDER, UseDefaults=True)
call(ci, "GetPrincipalTagAttributeMap", IdentityPoolId=IPOOL, IdentityProviderName=ID_PROVIDER)

# Fresh tokens: earlier steps signed alice out of nothing yet, but the
# password was changed and reset.
ID_TOKEN = g(step(lambda: sign_in(POOL, CLIENT, "alice")), "IdToken", default=ID_TOKEN)
LOGINS = {ID_PROVIDER: ID_TOKEN}
ident = call(ci, "GetId", IdentityPoolId=IPOOL, Logins=LOGINS)
IDENTITY = g(ident, "IdentityId", default="us-east-1:00000000-0000-4000-8000-000000000000")
call(ci, "GetCredentialsForIdentity", IdentityId=IDENTITY, Logins=LOGINS)
call(ci, "GetOpenIdToken", IdentityId=IDENTITY, Logins=LOGINS)
call(ci, "DescribeIdentity", IdentityId=IDENTITY)
call(ci, "ListIdentities", IdentityPoolId=IPOOL, MaxResults=10)
fb = step(lambda: http_json("POST", "/_emulator/facebook/tokens", {"app_id": FB_APP, "user_id": "fb-77"}))
fb_token = g(fb, "access_token", default="missing-fb-token")
step(lambda: ci.get_id(IdentityPoolId=IPOOL, Logins={ID_PROVIDER: ID_TOKEN, "graph.facebook.com": fb_token}))
call(ci, "UnlinkIdentity", IdentityId=IDENTITY, Logins=LOGINS, LoginsToRemove=["graph.facebook.com"])

dev1 = call(ci, "GetOpenIdTokenForDeveloperIdentity", IdentityPoolId=IPOOL, Logins={"login.allops.dev": "dev-1"},
            PrincipalTags={"tenant": "acme"}, TokenDuration=600)
step(lambda: ci.get_open_id_token_for_developer_identity(IdentityPoolId=IPOOL, Logins={"login.allops.dev": "dev-2"}))
call(ci, "LookupDeveloperIdentity", IdentityPoolId=IPOOL, DeveloperUserIdentifier="dev-1", MaxResults=10)
merged = call(ci, "MergeDeveloperIdentities", IdentityPoolId=IPOOL, SourceUserIdentifier="dev-2",
              DestinationUserIdentifier="dev-1", DeveloperProviderName="login.allops.dev")
call(ci, "UnlinkDeveloperIdentity", IdentityPoolId=IPOOL, IdentityId=g(dev1, "IdentityId", default=IDENTITY),
     DeveloperProviderName="login.allops.dev", DeveloperUserIdentifier="dev-2")
guest = step(lambda: ci.get_id(IdentityPoolId=IPOOL)) or {}
call(ci, "DeleteIdentities", IdentityIdsToDelete=[guest.get("IdentityId", IDENTITY)])
call(ci, "DeleteIdentityPool", IdentityPoolId=IPOOL)

# -------------------------------------------------------------- tear-down

call(idp, "RevokeToken", ClientId=CLIENT, Token=REFRESH2)
# Revoking the refresh token revoked ACCESS (issued with it): sign in again.
again = step(lambda: sign_in(POOL, CLIENT, "alice")) or {}
ACCESS = again.get("AccessToken", ACCESS)
call(idp, "ForgetDevice", AccessToken=ACCESS, DeviceKey=DEVICE)
call(idp, "AdminForgetDevice", UserPoolId=POOL, Username="alice",
     DeviceKey=g(again, "NewDeviceMetadata", "DeviceKey", default=DEVICE))
call(idp, "GlobalSignOut", AccessToken=ACCESS)
call(idp, "AdminUserGlobalSignOut", UserPoolId=POOL, Username="alice")
bob_access = g(step(lambda: sign_in(POOL, CLIENT, "bob", PASSWORD + "3")), "AccessToken", default="missing-token")
call(idp, "DeleteUser", AccessToken=bob_access)
call(idp, "AdminDeleteUser", UserPoolId=POOL, Username="carol")
call(idp, "DeleteIdentityProvider", UserPoolId=POOL, ProviderName="Google")
call(idp, "DeleteResourceServer", UserPoolId=POOL, Identifier="https://api.example.com")
call(idp, "DeleteTerms", UserPoolId=POOL, TermsId=TERMS)
call(idp, "DeleteManagedLoginBranding", UserPoolId=POOL, ManagedLoginBrandingId=BRANDING)
call(idp, "DeleteUserPoolDomain", UserPoolId=POOL, Domain=DOMAIN)
call(idp, "DeleteGroup", UserPoolId=POOL, GroupName="admins")
call(idp, "DeleteUserPoolClient", UserPoolId=POOL, ClientId=SECRET_CLIENT)
call(idp, "DeleteUserPool", UserPoolId=POOL)

# ---------------------------------------------------- negative cases
# A few refusals every client meets, each of which must be an error the
# model declares for its operation, in AWS's shape.
MISSING_POOL = "us-east-1_NoSuchPool"
call(idp, "DescribeUserPool", _expect="ResourceNotFoundException", UserPoolId=MISSING_POOL)
call(idp, "GetUser", _expect="NotAuthorizedException", AccessToken="not-a-token")
call(idp, "InitiateAuth", _expect="ResourceNotFoundException", ClientId="nosuchclient0000000000000",
     AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "x", "PASSWORD": "y"})
call(idp, "ConfirmSignUp", _expect="ResourceNotFoundException", ClientId="nosuchclient0000000000000",
     Username="x", ConfirmationCode="123456")
call(idp, "AdminGetUser", _expect="ResourceNotFoundException", UserPoolId=MISSING_POOL, Username="x")
call(ci, "DescribeIdentityPool", _expect="ResourceNotFoundException",
     IdentityPoolId="us-east-1:00000000-0000-4000-8000-000000000000")
call(ci, "GetId", _expect="ResourceNotFoundException", IdentityPoolId="us-east-1:00000000-0000-4000-8000-000000000000")
call(ci, "DescribeIdentity", _expect="ResourceNotFoundException", IdentityId="us-east-1:00000000-0000-4000-8000-000000000000")

uncalled = {}
for name, c in (("cognito-idp", idp), ("cognito-identity", ci)):
    uncalled[name] = sorted(set(c.meta.service_model.operation_names) - called[name])
print(json.dumps({"results": results, "uncalled": uncalled}))
