# frozen_string_literal: true

# Drives ONLYOFFICE's own API client gem, unchanged, against a running
# docmock: logs in as its README shows, calls each gem method whose
# endpoint the mock serves, then its error path. Prints one JSON object per
# call ({"call", "ok", "detail"}) for tests/ruby_client.rs to judge.
#
# Usage: ruby onlyoffice_gem.rb GEM_DIR SERVER
#   GEM_DIR  the gem's checkout (its lib/ is put on the load path)
#   SERVER   the portal address the gem is given (docmock's base URL and
#            the API's mount prefix)

require 'json'

gem_dir, server = ARGV
abort 'usage: ruby onlyoffice_gem.rb GEM_DIR SERVER' unless gem_dir && server
$LOAD_PATH.unshift(File.join(gem_dir, 'lib'))
require 'onlyoffice_api'

def report(call, ok, detail)
  puts JSON.generate({ call: call, ok: ok, detail: detail.to_s[0, 600] })
  $stdout.flush
end

# A call succeeds when the gem returns its response with parsed data.
def expect_data(call)
  response = yield
  body = response.body
  if body.is_a?(Hash) && body.key?('response')
    report(call, true, JSON.generate(response.data)[0, 200])
  else
    report(call, false, "no parsed response member in #{body.inspect}")
  end
rescue StandardError => e
  report(call, false, "#{e.class}: #{e.message}")
end

# A call fails as it should when the gem raises its error for `status`
# with the vendor's error envelope in the message.
def expect_error(call, status, envelope)
  response = yield
  report(call, false, "expected an error #{status}, got #{response.code}")
rescue StandardError => e
  message = e.message
  ok = message.start_with?("Error #{status}") && envelope.all? { |part| message.include?(part) }
  report(call, ok, "#{e.class}: #{message}")
end

begin
  Teamlab.configure do |config|
    config.server = server
    config.username = 'someone@example.com'
    config.password = 'secret'
  end
  report('Teamlab.configure', true, "token #{Teamlab.config.token}")
rescue StandardError => e
  report('Teamlab.configure', false, "#{e.class}: #{e.message}")
  exit 0
end

crm = Teamlab.crm
people = Teamlab.people
# Endpoints of the bundled ONLYOFFICE specs.
expect_data('crm.update_contact_status_by_id') { crm.update_contact_status_by_id(1234, 1234) }
expect_data('crm.add_case_contact') { crm.add_case_contact(1234, 1234) }
expect_data('crm.add_opportunity_contact') { crm.add_opportunity_contact(1234, 1234) }
# Endpoints of the pages written for this test.
expect_data('crm.get_contact_by_id') { crm.get_contact_by_id(42) }
expect_data('crm.get_contact_statuses') { crm.get_contact_statuses }
expect_data('crm.delete_contact') { crm.delete_contact(42) }
expect_data('people.get_self') { people.get_self }

# The error path: a path parameter of the wrong type, and no credential.
expect_error('400: crm.get_contact_by_id("abc")', 400, ['"statusCode": 400', 'contactid']) do
  crm.get_contact_by_id('abc')
end
# A config of its own with no headers: the gem falls back to the global
# config's (the token) only when a config has none at all.
no_token = Teamlab::Config.new(server: server)
no_token.headers = {}
anonymous = Teamlab::Crm.new(no_token)
expect_error('401: crm.get_contact_by_id without a token', 401, ['"statusCode": 401']) do
  anonymous.get_contact_by_id(42)
end
