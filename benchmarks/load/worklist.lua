-- wrk script: every request fetches a nurse's own worklist with that nurse's token.
-- Tokens come from the file named by WRK_TOKENS (one "Bearer ..." value per line); the
-- requests rotate through them, so the 200 connections act as the shift's nurses.
local tokens = {}
local counter = 0
local path = os.getenv("WRK_PATH") or "/v1/nurse/worklist?date=2026-12-01&shift=day"
-- WRK_DELAY_MS > 0 paces each connection (a pause before each next request), so the whole
-- run offers a set rate instead of as many requests as the server can take.
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")
if pause > 0 then
  function delay()
    return pause
  end
end

function init(args)
  for line in io.lines(os.getenv("WRK_TOKENS")) do
    if #line > 0 then table.insert(tokens, line) end
  end
  counter = math.random(#tokens)
end

function request()
  counter = counter % #tokens + 1
  return wrk.format("GET", path, { ["Authorization"] = tokens[counter] })
end
