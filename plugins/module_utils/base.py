# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Our AnsibleAWSModule: amazon.aws's credentials, retries and errors, our name in the user agent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

COLLECTION_NAME = "seed.lightsail"
COLLECTION_VERSION = "1.0.0"


class AnsibleLightsailModule(AnsibleAWSModule):
    def __init__(self, **kwargs):
        super(AnsibleLightsailModule, self).__init__(**kwargs)
        set_collection_info(collection_name=COLLECTION_NAME, collection_version=COLLECTION_VERSION)

    def lightsail_client(self):
        return self.client("lightsail")

    def fail_with_error(self, error, **result):
        """Fail on an AnsibleLightsailError, keeping amazon.aws's error formatting."""
        if error.exception is not None:
            self.fail_json_aws(error.exception, msg=error.message, **result)
        self.fail_json(msg=error.message, **result)
