# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Our AnsibleAWSModule: amazon.aws's credentials, retries and errors, our name in the user agent."""

import os

from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.seed.lightsail.plugins.module_utils._errors import CREDENTIAL_HINT
from ansible_collections.seed.lightsail.plugins.module_utils._errors import is_credential_error

COLLECTION_NAME = "seed.lightsail"
COLLECTION_VERSION = "1.0.0"

SECURITY_TOKEN_WARNING = (
    "AWS_SECURITY_TOKEN is set but not used: amazon.aws 10 no longer reads it. "
    "If these are temporary credentials, set AWS_SESSION_TOKEN (or the session_token option) instead."
)


class AnsibleLightsailModule(AnsibleAWSModule):
    def __init__(self, **kwargs):
        super(AnsibleLightsailModule, self).__init__(**kwargs)
        set_collection_info(collection_name=COLLECTION_NAME, collection_version=COLLECTION_VERSION)
        # Older AWX and Automation Controller releases inject temporary credentials as AWS_SECURITY_TOKEN only.
        # Say so instead of failing later with a bare "security token is invalid"; never echo the token.
        if os.environ.get("AWS_SECURITY_TOKEN") and not self.params.get("session_token") and not self.params.get("profile"):
            self.warn(SECURITY_TOKEN_WARNING)

    def lightsail_client(self, **extra_params):
        """A Lightsail client; extra_params go to amazon.aws's client(), e.g. config=dict(max_pool_connections=20)."""
        return self.client("lightsail", **extra_params)

    def fail_with_error(self, error, **result):
        """Fail on an AnsibleLightsailError, keeping amazon.aws's error formatting."""
        if error.exception is not None:
            message = error.message
            if is_credential_error(error.exception):
                message = "%s: %s" % (message, CREDENTIAL_HINT)
            self.fail_json_aws(error.exception, msg=message, **result)
        self.fail_json(msg=error.message, **result)
