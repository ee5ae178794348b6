-- wrk script: POST /api/v1/login with the right password, each request for the next of
-- USERS provisioned accounts (load000…), so every request runs one argon2 verification
-- and no account ever collects failures (3 would lock it, and a locked account is
-- refused without hashing — that would fake the throughput).
local users = tonumber(os.getenv("USERS") or "100")
local code = os.getenv("CODE") or "0123456789"
local password = os.getenv("PASSWORD") or "Load#Pass2024"
local counter = 0
local failures = 0

local threads = {}
function setup(thread)
  thread:set("offset", #threads * 37)
  table.insert(threads, thread)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
  counter = counter + 1
  local id = string.format("load%03d", (counter + offset) % users)
  local body = string.format(
    '{"institution_code":"%s","login_id":"%s","password":"%s"}', code, id, password)
  return wrk.format(nil, "/api/v1/login", nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("login answered " .. status .. ": " .. body .. "\n") end
  end
end
