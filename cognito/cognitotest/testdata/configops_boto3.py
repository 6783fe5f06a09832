"""boto3 against the emulator: the user-pool configuration operations.

Each call goes through botocore's own parameter validation and response
parsing; every raw answer is also checked against the operation's output
shape in botocore's model by shapecheck.py (beside this script). Prints
one JSON object: the values the Go test checks, the shape problems found,
and the error codes of the refusals.
"""
import base64
import json
import os

import boto3
import botocore

import shapecheck  # testdata/shapecheck.py: this script's directory is on sys.path

c = boto3.client('cognito-idp', endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1',
                 aws_access_key_id='AKIDEXAMPLE', aws_secret_access_key='secret')
model = c.meta.service_model
problems = []
seen = []
shapecheck.watch(c, problems, seen)

undeclared = []


def code(fn, **kw):
    """The error code of a call that must fail; one its operation does not
    declare in the model is reported in undeclared."""
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        got = e.response['Error']['Code']
        op = c.meta.method_to_api_mapping[fn.__name__]
        if got not in [s.name for s in model.operation_model(op).error_shapes]:
            undeclared.append('%s: %s' % (op, got))
        return got
    return 'no error'


out = {}
pool = c.create_user_pool(PoolName='boto3-config', UserPoolTags={'team': 'auth'})['UserPool']
pid, arn = pool['Id'], pool['Arn']

c.tag_resource(ResourceArn=arn, Tags={'env': 'dev'})
c.untag_resource(ResourceArn=arn, TagKeys=['team'])
out['tags'] = c.list_tags_for_resource(ResourceArn=arn)['Tags']

c.create_group(UserPoolId=pid, GroupName='admins')
g = c.update_group(UserPoolId=pid, GroupName='admins', Description='Admins', Precedence=2,
                   RoleArn='arn:aws:iam::123456789012:role/admins')['Group']
out['group'] = {'Description': g['Description'], 'Precedence': g['Precedence'], 'RoleArn': g['RoleArn']}

for ident in ('orders', 'stock'):
    c.create_resource_server(UserPoolId=pid, Identifier=ident, Name=ident,
                             Scopes=[{'ScopeName': 'read', 'ScopeDescription': 'Read'}])
c.update_resource_server(UserPoolId=pid, Identifier='orders', Name='Orders',
                         Scopes=[{'ScopeName': 'read', 'ScopeDescription': 'Read orders'},
                                 {'ScopeName': 'write', 'ScopeDescription': 'Write orders'}])
names = []
pages = c.get_paginator('list_resource_servers').paginate(UserPoolId=pid, PaginationConfig={'PageSize': 1})
for page in pages:
    names += [rs['Name'] for rs in page['ResourceServers']]
out['resource_servers'] = names
c.delete_resource_server(UserPoolId=pid, Identifier='stock')
out['after_delete'] = [rs['Identifier'] for rs in c.list_resource_servers(UserPoolId=pid, MaxResults=50)['ResourceServers']]

c.add_custom_attributes(UserPoolId=pid, CustomAttributes=[
    {'Name': 'tier', 'AttributeDataType': 'String', 'Mutable': True,
     'StringAttributeConstraints': {'MinLength': '1', 'MaxLength': '16'}}])
schema = c.describe_user_pool(UserPoolId=pid)['UserPool']['SchemaAttributes']
out['custom'] = [a for a in schema if a['Name'] == 'custom:tier']

c.create_identity_provider(UserPoolId=pid, ProviderName='Corp', ProviderType='OIDC',
                           ProviderDetails={'client_id': 'c1', 'client_secret': 's1', 'authorize_scopes': 'openid',
                                            'oidc_issuer': 'https://idp.corp.example'},
                           IdpIdentifiers=['corp.example'])
idp = c.update_identity_provider(UserPoolId=pid, ProviderName='Corp',
                                 ProviderDetails={'authorize_scopes': 'openid email'},
                                 AttributeMapping={'email': 'email'})['IdentityProvider']
out['idp_scopes'] = idp['ProviderDetails']['authorize_scopes']
out['idp_client'] = idp['ProviderDetails']['client_id']
out['by_identifier'] = c.get_identity_provider_by_identifier(UserPoolId=pid, IdpIdentifier='corp.example')['IdentityProvider']['ProviderName']

c.create_identity_provider(UserPoolId=pid, ProviderName='Other', ProviderType='Google',
                           ProviderDetails={'client_id': 'g', 'client_secret': 'gs', 'authorize_scopes': 'openid'})
cert = c.get_signing_certificate(UserPoolId=pid)['Certificate']
out['certificate_der_bytes'] = len(base64.b64decode(cert, validate=True))

out['errors'] = {
    'unknown arn': code(c.list_tags_for_resource, ResourceArn=arn + 'x'),
    'duplicate attribute': code(c.add_custom_attributes, UserPoolId=pid,
                                CustomAttributes=[{'Name': 'tier', 'AttributeDataType': 'String'}]),
    'unknown identifier': code(c.get_identity_provider_by_identifier, UserPoolId=pid, IdpIdentifier='else.example'),
    'unknown group': code(c.update_group, UserPoolId=pid, GroupName='nobody', Description='x'),
    'unknown resource server': code(c.delete_resource_server, UserPoolId=pid, Identifier='nope'),
    'identifier of another provider': code(c.update_identity_provider, UserPoolId=pid, ProviderName='Other',
                                           IdpIdentifiers=['corp.example']),
    'a 51st tag': code(c.tag_resource, ResourceArn=arn, Tags={'k%02d' % i: 'v' for i in range(51)}),
    'unknown pool certificate': code(c.get_signing_certificate, UserPoolId='us-east-1_nothere'),
}
out['undeclared_errors'] = undeclared
out['shape_problems'] = problems
out['checked'] = sorted(set(seen))
print(json.dumps(out))
