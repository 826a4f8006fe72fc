package demo

// Word lists the demo data set draws from. Names are common first and last names of the
// countries the fixed rows know; companies are built from a stem and an industry.

var maleFirstNames = []string{
	"James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
	"Charles", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew", "Kevin",
	"Brian", "George", "Edward", "Ryan", "Jacob", "Nicholas", "Lukas", "Jonas", "Felix",
	"Maximilian", "Lucas", "Hugo", "Louis", "Arthur", "Oliver", "Harry", "Noah", "Liam",
}

var femaleFirstNames = []string{
	"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah",
	"Karen", "Nancy", "Lisa", "Betty", "Margaret", "Sandra", "Ashley", "Emily", "Michelle",
	"Amanda", "Melissa", "Laura", "Rebecca", "Hannah", "Emma", "Mia", "Sophia", "Lea",
	"Marie", "Chloe", "Camille", "Manon", "Olivia", "Amelia", "Isla", "Grace", "Charlotte",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
	"Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson",
	"Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker",
	"Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
	"Campbell", "Mitchell", "Roberts", "Müller", "Schmidt", "Schneider", "Fischer", "Weber",
	"Meyer", "Wagner", "Becker", "Hoffmann", "Bernard", "Dubois", "Moreau", "Laurent", "Lefebvre",
	"Fontaine", "Evans", "Hughes", "Wood", "Murphy", "O'Brien",
}

var namePrefixes = map[string][]string{
	"male":   {"Mr."},
	"female": {"Ms.", "Mrs."},
}

var nameSuffixes = []string{"Jr.", "Sr.", "II", "PhD"}

var jobTitles = []string{
	"Chief Executive Officer", "Chief Financial Officer", "Chief Technology Officer",
	"Head of Purchasing", "Purchasing Manager", "Procurement Specialist", "Operations Manager",
	"Office Manager", "IT Director", "Systems Administrator", "Sales Director", "Account Manager",
	"Marketing Manager", "Product Manager", "Project Manager", "Logistics Coordinator",
	"Facilities Manager", "HR Manager", "Controller", "Executive Assistant",
}

var userTitles = []string{
	"Sales Representative", "Senior Sales Representative", "Account Executive",
	"Customer Success Manager", "Sales Manager", "Support Engineer", "Business Development Manager",
}

var companyStems = []string{
	"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay",
	"Soylent", "Cyberdyne", "Tyrell", "Massive", "Gringotts", "Oceanic", "Blue Sky", "Northwind",
	"Contoso", "Fabrikam", "Tailspin", "Litware", "Proseware", "Adatum", "Lucerne", "Alpine",
	"Summit", "Redwood", "Silverline", "Ironbridge", "Bluewater", "Greenfield", "Brightstar",
	"Keystone", "Pinnacle", "Riverside", "Harbor", "Maple", "Cedar", "Falcon", "Evergreen",
	"Horizon", "Meridian", "Atlas", "Orion", "Sterling", "Crescent", "Union", "Pioneer",
}

var companyIndustries = []string{
	"Logistics", "Manufacturing", "Consulting", "Software", "Foods", "Energy", "Pharmaceuticals",
	"Retail", "Construction", "Media", "Insurance", "Engineering", "Textiles", "Motors",
	"Electronics", "Hospitality", "Healthcare", "Chemicals", "Telecom", "Capital",
}

var companySuffixes = []string{"Inc.", "LLC", "Ltd.", "GmbH", "AG", "SA", "Group", "Corp.", "& Co."}

var accountDescriptions = []string{
	"Key account; quarterly business review with the purchasing team.",
	"Long-standing customer, renewal due next quarter.",
	"Prospect from the spring trade fair.",
	"Interested in volume pricing for the whole product line.",
	"Reseller for the regional market.",
	"Pilot project running, decision expected soon.",
}

var callSubjects = []string{
	"Introductory call", "Follow-up on quote", "Discuss renewal", "Product demo", "Pricing questions",
	"Support request", "Delivery status", "Invoice question", "Contract negotiation",
	"Quarterly review", "Onboarding check-in", "Feedback on last order", "Schedule site visit",
	"Technical questions", "Reference call",
}

var callNotes = []string{
	"Left a voicemail, will try again.",
	"Customer asked for an updated quote by the end of the week.",
	"Agreed to send the product brochure.",
	"Decision maker is on vacation until next month.",
	"Happy with the last delivery; wants to increase the volume.",
	"Escalated the issue to the support team.",
}

// businessRegions name the groups of business units: one group per scale step.
var businessRegions = []string{
	"North America", "Europe", "Asia Pacific", "Latin America", "Middle East", "Africa",
	"Nordics", "Benelux", "Iberia", "Central Europe", "Oceania", "Southeast Asia",
}

// productLines and productKinds make product names; kinds are translated for the
// localized names (English, German, French: the fixed localizations 1, 2 and 3).
var productLines = []string{
	"Aurora", "Nimbus", "Vertex", "Zenith", "Apex", "Nova", "Quantum", "Titan", "Echo", "Lumen",
	"Vector", "Polar", "Solstice", "Cobalt", "Sierra", "Delta", "Pulse", "Orbit",
}

var productKinds = [][3]string{
	{"Office Chair", "Bürostuhl", "Chaise de bureau"},
	{"Standing Desk", "Stehpult", "Bureau assis-debout"},
	{"Desk Lamp", "Schreibtischlampe", "Lampe de bureau"},
	{"Monitor Arm", "Monitorhalterung", "Bras pour écran"},
	{"Keyboard", "Tastatur", "Clavier"},
	{"Wireless Mouse", "Kabellose Maus", "Souris sans fil"},
	{"Headset", "Headset", "Casque"},
	{"Webcam", "Webcam", "Webcam"},
	{"Filing Cabinet", "Aktenschrank", "Classeur"},
	{"Bookshelf", "Bücherregal", "Bibliothèque"},
	{"Whiteboard", "Whiteboard", "Tableau blanc"},
	{"Conference Phone", "Konferenztelefon", "Téléphone de conférence"},
	{"Laptop Stand", "Laptopständer", "Support pour ordinateur portable"},
	{"Document Shredder", "Aktenvernichter", "Destructeur de documents"},
	{"Label Printer", "Etikettendrucker", "Imprimante d'étiquettes"},
}
