package seed

// The vocabulary of seeded libraries: subjects with their courses (the
// topic tree) and words (titles, page text, so search finds something
// topical), and names for people.

type subject struct {
	name    string
	courses []string
	words   []string
}

var subjects = []subject{
	{"Mathematics", []string{"Linear Algebra", "Calculus", "Probability", "Number Theory", "Topology", "Statistics"},
		[]string{"matrix", "vector", "eigenvalue", "determinant", "integral", "derivative", "limit", "theorem", "proof", "lemma",
			"series", "convergence", "manifold", "group", "field", "polynomial", "variance", "distribution", "prime", "congruence"}},
	{"Physics", []string{"Mechanics", "Thermodynamics", "Electromagnetism", "Quantum Mechanics", "Optics", "Relativity"},
		[]string{"energy", "momentum", "entropy", "field", "wave", "particle", "force", "mass", "velocity", "temperature",
			"photon", "charge", "potential", "oscillator", "spin", "lens", "interference", "pressure", "spacetime", "lagrangian"}},
	{"Biology", []string{"Cell Biology", "Genetics", "Ecology", "Evolution", "Physiology", "Microbiology"},
		[]string{"cell", "protein", "gene", "enzyme", "membrane", "species", "population", "mutation", "organism", "tissue",
			"chromosome", "selection", "habitat", "bacteria", "metabolism", "receptor", "hormone", "allele", "ribosome", "niche"}},
	{"Computer Science", []string{"Algorithms", "Operating Systems", "Databases", "Networks", "Compilers", "Machine Learning"},
		[]string{"algorithm", "graph", "tree", "complexity", "memory", "process", "query", "index", "packet", "compiler",
			"scheduler", "transaction", "hash", "recursion", "gradient", "kernel", "parser", "protocol", "cache", "thread"}},
	{"History", []string{"Ancient Rome", "Medieval Europe", "Industrial Revolution", "Cold War", "Renaissance", "Modern China"},
		[]string{"empire", "treaty", "revolution", "dynasty", "trade", "war", "republic", "reform", "council", "senate",
			"colony", "monarchy", "peasant", "factory", "alliance", "crusade", "merchant", "rebellion", "constitution", "frontier"}},
	{"Economics", []string{"Microeconomics", "Macroeconomics", "Econometrics", "Game Theory", "Public Finance", "Labour Economics"},
		[]string{"market", "price", "demand", "supply", "inflation", "equilibrium", "utility", "tax", "wage", "elasticity",
			"regression", "monopoly", "interest", "budget", "strategy", "payoff", "capital", "unemployment", "welfare", "growth"}},
	{"Law", []string{"Contract Law", "Criminal Law", "Constitutional Law", "Torts", "Property Law", "International Law"},
		[]string{"contract", "liability", "statute", "court", "plaintiff", "defendant", "appeal", "negligence", "damages", "jurisdiction",
			"precedent", "offence", "evidence", "tenancy", "sovereignty", "treaty", "remedy", "consideration", "injunction", "verdict"}},
	{"Chemistry", []string{"Organic Chemistry", "Inorganic Chemistry", "Physical Chemistry", "Analytical Chemistry", "Biochemistry"},
		[]string{"molecule", "bond", "reaction", "acid", "base", "catalyst", "electron", "orbital", "solvent", "isomer",
			"oxidation", "equilibrium", "titration", "spectroscopy", "polymer", "enthalpy", "ligand", "kinetics", "buffer", "crystal"}},
	{"Psychology", []string{"Cognitive Psychology", "Developmental Psychology", "Social Psychology", "Neuroscience", "Research Methods"},
		[]string{"memory", "attention", "perception", "behaviour", "cognition", "emotion", "learning", "neuron", "bias", "conformity",
			"experiment", "sample", "motivation", "stimulus", "conditioning", "personality", "anxiety", "development", "language", "cortex"}},
	{"Philosophy", []string{"Ethics", "Logic", "Epistemology", "Metaphysics", "Political Philosophy"},
		[]string{"virtue", "argument", "knowledge", "justice", "truth", "belief", "reason", "duty", "freedom", "mind",
			"premise", "validity", "causation", "identity", "consent", "utility", "scepticism", "substance", "liberty", "meaning"}},
}

// filler words make page text read like prose around the topical words.
var filler = []string{
	"the", "of", "and", "to", "in", "is", "that", "for", "as", "with", "by", "this", "are", "on", "be", "which",
	"from", "an", "at", "it", "can", "we", "these", "their", "also", "such", "more", "when", "each", "between",
	"however", "therefore", "example", "case", "shown", "section", "following", "first", "second", "result",
}

var firstNames = []string{
	"Ada", "Ben", "Chloe", "David", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kira", "Liam", "Maya", "Noah",
	"Olga", "Pablo", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wen", "Xenia", "Yusuf", "Zoe",
}

var lastNames = []string{
	"Adams", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova", "Jensen", "Kowalski",
	"Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Uddin", "Varga", "Weber", "Yilmaz", "Zhang",
}

var timezones = []string{
	"Europe/Berlin", "America/New_York", "UTC", "Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Auckland",
	"Asia/Kolkata", "America/Sao_Paulo", "Australia/Sydney", "Africa/Nairobi", "Europe/Madrid",
}

var colors = []string{"#4F46E5", "#0EA5E9", "#10B981", "#F59E0B", "#EF4444", "#8B5CF6", "#EC4899", "#14B8A6", "#64748B", "#84CC16"}
