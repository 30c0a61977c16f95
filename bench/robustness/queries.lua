-- wrk script: cycles through 24 different searches (words, phrases,
-- exclusions, filters, paging), one per request.
local queries = {
  "q=migrants", "q=cadre+juridique", "q=%22cadre+juridique%22", "q=accueil+des+migrants",
  "q=soci%C3%A9t%C3%A9+civile", "q=gouvernance", "q=migration&kind=practice", "q=migration&kind=section",
  "q=droit+d%27asile", "q=l%E2%80%99int%C3%A9gration", "q=municipalit%C3%A9s+associations",
  "q=r%C3%A9fugi%C3%A9s&limit=50", "q=migrants+-Sfax", "q=Sfax&year=2019", "q=coordination&city=Sfax",
  "q=femmes+migrantes", "q=sant%C3%A9+acc%C3%A8s", "q=emploi+formation", "q=%C2%ABsoci%C3%A9t%C3%A9+civile%C2%BB",
  "q=villes&offset=5", "q=migrants&lang=fr", "q=recommandations", "q=partenaires+europ%C3%A9ens",
  "q=protection+des+droits&limit=100",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/search?" .. queries[(i % #queries) + 1])
end
