-- wrk script for item 1: each connection is one logged-in user answering questions.
-- Run with one connection per wrk thread (-t N -c N): the state below is per thread, so it
-- is per connection. Arguments: USERS_FILE MODE, where MODE is "app" or "bare" and each line
-- of USERS_FILE is "SESSION_ID<TAB>COOKIE". Loop: GET the question, POST the answer (302).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  mode = args[2]
  local n = 0
  for line in io.lines(args[1]) do
    n = n + 1
    if n == tid then
      sid, cookie = line:match("^(%S+)\t(.+)$")
    end
  end
  state = "question"
  failures = 0
  answers = 0
  bad = ""
  form = "application/x-www-form-urlencoded"
end

-- The statuses of failed requests (a few), for the report.
function note(status)
  if #bad < 60 then bad = bad .. status .. " " end
end

local function escape(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  if state == "question" then
    local path = mode == "bare" and "/question" or ("/quiz/sessions/" .. sid)
    return wrk.format("GET", path, { Cookie = cookie })
  end
  return wrk.format("POST", action, { Cookie = cookie, ["Content-Type"] = form }, payload)
end

function response(status, headers, body)
  if state == "answer" then
    if status == 302 then answers = answers + 1 else failures = failures + 1; note(status) end
    state = "question"
    return
  end
  if status ~= 200 then
    failures = failures + 1
    note(status)
    return
  end
  if mode == "bare" then
    action, payload = "/answer", "grade=4"
    state = "answer"
    return
  end
  action = body:match('action="(/quiz/items/%d+/answer)"')
  local csrf = body:match('name="csrf_token" type="hidden" value="([^"]+)"')
  local version = body:match('name="version" type="hidden" value="(%d*)"') or ""
  if not action or not csrf then
    failures = failures + 1
    return
  end
  local field
  local choice = body:match('name="choice" value="(%d+)"')
  if choice then
    field = "choice=" .. choice
  elseif body:find('name="truth"', 1, true) then
    field = "truth=true"
  elseif body:find('name="grade"', 1, true) then
    field = "grade=4"
  else
    field = "text=lazy"
  end
  payload = "csrf_token=" .. escape(csrf) .. "&version=" .. version .. "&elapsed_ms=6000&" .. field
  state = "answer"
end

function done(summary, latency, requests)
  local failed, answered, statuses = 0, 0, ""
  for _, thread in ipairs(threads) do
    failed = failed + (thread:get("failures") or 0)
    answered = answered + (thread:get("answers") or 0)
    statuses = statuses .. (thread:get("bad") or "")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "connect": %d, ' ..
    '"read": %d, "write": %d, "status": %d, "timeout": %d, "failures": %d, "answers": %d, ' ..
    '"bad": "%s"}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout, failed, answered, statuses))
end
